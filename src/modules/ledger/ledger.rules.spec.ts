import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sumMinor } from '../../platform/money.js';
import {
  accountDrift,
  accountKey,
  addBalances,
  assertBalanced,
  assertNoOverdraft,
  assertValidPosting,
  type Balances,
  balanceChanges,
  type EntryInput,
  HOLD_TRANSITIONS,
  type HoldAction,
  type HoldState,
  holdStateOf,
  isOverdrawn,
  MAX_ENTRIES_PER_TRANSACTION,
  type PlacedEntry,
  resolveHold,
  samePosting,
  settlementEntries,
  walletBalance,
  ZERO_BALANCES,
} from './ledger.rules.js';

const OWNER = '7b0e8f0c-1c7e-4f6e-9d55-0a4f0e7c1111';
const wallet = { kind: 'user_wallet' as const, ownerId: OWNER, currency: 'IDR' };
const fees = { kind: 'platform_fees' as const, currency: 'IDR' };
const clearing = { kind: 'gateway_clearing' as const, currency: 'IDR' };
const accounts = [wallet, fees, clearing];

const amount = fc.bigInt({ min: 1n, max: 10n ** 12n });

/** Any balanced set: random debits and credits, the smaller side topped up by one entry. */
const balancedEntries: fc.Arbitrary<EntryInput[]> = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...accounts), amount), { minLength: 1, maxLength: 5 }),
    fc.array(fc.tuple(fc.constantFrom(...accounts), amount), { minLength: 1, maxLength: 5 }),
  )
  .map(([debits, credits]) => {
    const entries: EntryInput[] = [
      ...debits.map(([account, amountMinor]) => ({ account, direction: 'debit' as const, amountMinor })),
      ...credits.map(([account, amountMinor]) => ({ account, direction: 'credit' as const, amountMinor })),
    ];
    const gap = sumMinor(debits.map(([, a]) => a)) - sumMinor(credits.map(([, a]) => a));
    if (gap > 0n) entries.push({ account: clearing, direction: 'credit', amountMinor: gap });
    if (gap < 0n) entries.push({ account: clearing, direction: 'debit', amountMinor: -gap });
    return entries;
  });

const debitTotal = (entries: readonly { direction: string; amountMinor: bigint }[]) =>
  sumMinor(entries.filter((e) => e.direction === 'debit').map((e) => e.amountMinor));

describe('a balanced transaction', () => {
  it('is accepted whenever its debits equal its credits', () => {
    fc.assert(
      fc.property(balancedEntries, (entries) => {
        assertBalanced(entries);
      }),
    );
  });

  it('is refused when any one amount changes', () => {
    fc.assert(
      fc.property(balancedEntries, fc.nat(), amount, (entries, pick, extra) => {
        const index = pick % entries.length;
        const changed = entries.map((e, i) =>
          i === index ? { ...e, amountMinor: e.amountMinor + extra } : e,
        );
        expect(() => assertBalanced(changed)).toThrow(/debits .* differ from credits/);
      }),
    );
  });

  it('is refused with a zero or negative amount, even when the sums match', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 9n), max: 0n }), (bad) => {
        const entries: EntryInput[] = [
          { account: wallet, direction: 'debit', amountMinor: bad },
          { account: fees, direction: 'credit', amountMinor: bad },
        ];
        expect(() => assertBalanced(entries)).toThrow(
          expect.objectContaining({ code: 'unbalanced_transaction' }),
        );
      }),
    );
  });

  it('is refused with fewer than two entries or in two currencies', () => {
    expect(() => assertBalanced([])).toThrow(/at least two entries/);
    expect(() => assertBalanced([{ account: wallet, direction: 'debit', amountMinor: 5n }])).toThrow(
      /at least two entries/,
    );
    expect(() =>
      assertBalanced([
        { account: wallet, direction: 'debit', amountMinor: 5n },
        { account: { ...fees, currency: 'USD' }, direction: 'credit', amountMinor: 5n },
      ]),
    ).toThrow(/several currencies/);
  });

  it('must be in its declared, supported currency and name accounts correctly', () => {
    const entries: EntryInput[] = [
      { account: clearing, direction: 'debit', amountMinor: 5n },
      { account: wallet, direction: 'credit', amountMinor: 5n },
    ];
    const posting = { kind: 'top_up', reference: 'r1', currency: 'IDR', entries };
    expect(() => assertValidPosting(posting)).not.toThrow();
    expect(() => assertValidPosting({ ...posting, currency: 'USD' })).toThrow(/not in USD/);
    expect(() => assertValidPosting({ ...posting, currency: 'XXX' })).toThrow(/unsupported currency/);
    expect(() => assertValidPosting({ ...posting, reference: '' })).toThrow(/reference/);
    const ownerless = [
      entries[0]!,
      { ...entries[1]!, account: { kind: 'user_wallet' as const, currency: 'IDR' } },
    ];
    expect(() => assertValidPosting({ ...posting, entries: ownerless })).toThrow(/needs an owner/);
    const ownedFees = [{ ...entries[0]!, account: { ...fees, ownerId: OWNER } }, entries[1]!];
    expect(() => assertValidPosting({ ...posting, entries: ownedFees })).toThrow(/has no owner/);
    const many = Array.from({ length: MAX_ENTRIES_PER_TRANSACTION + 1 }, () => entries[0]!);
    expect(() => assertValidPosting({ ...posting, entries: many })).toThrow(/at most/);
  });
});

describe('account identity', () => {
  it('is the same for any spelling of the owner id, and differs by kind, owner and currency', () => {
    expect(accountKey(wallet)).toBe(accountKey({ ...wallet, ownerId: OWNER.toUpperCase() }));
    expect(new Set([wallet, fees, clearing, { ...wallet, currency: 'USD' }].map(accountKey)).size).toBe(4);
  });
});

type Op =
  | { type: 'credit' | 'debit' | 'hold'; amount: bigint }
  | { type: 'settle'; hold: number; part: bigint }
  | { type: 'void'; hold: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ type: fc.constantFrom('credit' as const, 'debit' as const, 'hold' as const), amount }),
  fc.record({ type: fc.constant('settle' as const), hold: fc.nat(20), part: amount }),
  fc.record({ type: fc.constant('void' as const), hold: fc.nat(20) }),
);

describe('a wallet under any sequence of postings and holds', () => {
  it('never goes below zero, refuses exactly what exceeds what is available, and keeps its counters consistent', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let balances: Balances = { ...ZERO_BALANCES };
        // An independent model: settled balance, and what each hold still reserves.
        let settled = 0n;
        const holds: { amount: bigint; state: HoldState }[] = [];
        const other = 'clearing';
        for (const step of ops) {
          const available =
            settled - sumMinor(holds.filter((h) => h.state === 'pending').map((h) => h.amount));
          const changes = new Map<string, Balances>();
          const move = (direction: 'debit' | 'credit', amountMinor: bigint): PlacedEntry[] => [
            { accountId: 'w', direction, amountMinor },
            { accountId: other, direction: direction === 'debit' ? 'credit' : 'debit', amountMinor },
          ];
          let expectRefused = false;
          let commit = () => {};
          if ('hold' in step) {
            const hold = holds[step.hold];
            if (!hold || hold.state !== 'pending') continue;
            balanceChanges(move('debit', hold.amount), 'release', changes);
            if (step.type === 'settle') {
              const part = ((step.part - 1n) % hold.amount) + 1n;
              balanceChanges(settlementEntries(move('debit', hold.amount), part), 'posted', changes);
              commit = () => {
                hold.state = 'posted';
                settled -= part;
              };
            } else {
              commit = () => {
                hold.state = 'voided';
              };
            }
          } else if (step.type === 'credit') {
            balanceChanges(move('credit', step.amount), 'posted', changes);
            commit = () => {
              settled += step.amount;
            };
          } else {
            balanceChanges(move('debit', step.amount), step.type === 'debit' ? 'posted' : 'pending', changes);
            expectRefused = step.amount > available;
            commit = () => {
              if (step.type === 'debit') settled -= step.amount;
              else holds.push({ amount: step.amount, state: 'pending' });
            };
          }
          const locked = new Map([
            ['w', { noOverdraft: true, balances }],
            [other, { noOverdraft: false, balances: { ...ZERO_BALANCES } }],
          ]);
          let refused = false;
          try {
            assertNoOverdraft(locked, changes);
          } catch (error) {
            expect(error).toMatchObject({ code: 'insufficient_funds' });
            refused = true;
          }
          expect(refused).toBe(expectRefused);
          if (refused) continue;
          commit();
          balances = addBalances(balances, changes.get('w') ?? ZERO_BALANCES);
          const view = walletBalance(balances);
          const held = sumMinor(holds.filter((h) => h.state === 'pending').map((h) => h.amount));
          expect(isOverdrawn(balances)).toBe(false);
          expect(view.available).toBeGreaterThanOrEqual(0n);
          expect(view.posted).toBe(settled);
          expect(balances.pendingDebits).toBe(held);
          expect(view.available).toBe(settled - held);
          expect(Object.values(balances).every((counter) => counter >= 0n)).toBe(true);
        }
      }),
    );
  });

  it('shows pending holds as a negative pending amount and keeps them out of available', () => {
    const balances = { postedDebits: 30n, postedCredits: 100n, pendingDebits: 20n, pendingCredits: 5n };
    expect(walletBalance(balances)).toEqual({ posted: 70n, pending: -15n, available: 50n });
  });
});

describe('a hold', () => {
  it('is resolved once: the first post or void wins and every later one is refused', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<HoldAction>('post', 'void'), { minLength: 1, maxLength: 6 }),
        (actions) => {
          let state: HoldState = 'pending';
          actions.forEach((action, index) => {
            if (index === 0) {
              state = resolveHold(state, action);
              expect(state).toBe(action === 'post' ? 'posted' : 'voided');
            } else {
              expect(() => resolveHold(state, action)).toThrow(
                expect.objectContaining({ code: 'hold_already_resolved' }),
              );
            }
          });
        },
      ),
    );
  });

  it('has no transition out of posted or voided', () => {
    expect(HOLD_TRANSITIONS.posted).toEqual({});
    expect(HOLD_TRANSITIONS.voided).toEqual({});
  });

  it('reads its state from the row: unresolved, settled, voided, or not a hold at all', () => {
    expect(holdStateOf({ status: 'pending', resolvedAt: null })).toBe('pending');
    expect(holdStateOf({ status: 'pending', resolvedAt: new Date() })).toBe('posted');
    expect(holdStateOf({ status: 'voided', resolvedAt: new Date() })).toBe('voided');
    expect(holdStateOf({ status: 'posted', resolvedAt: null })).toBeUndefined();
  });

  it('settles for any amount up to what was held with balanced entries, none larger than held', () => {
    fc.assert(
      fc.property(balancedEntries, fc.bigInt({ min: 1n, max: 10n ** 13n }), (held, pick) => {
        const total = debitTotal(held);
        const part = ((pick - 1n) % total) + 1n;
        const settled = settlementEntries(held, part);
        expect(settled.length).toBeGreaterThanOrEqual(2);
        assertBalanced(settled);
        expect(debitTotal(settled)).toBe(part);
        for (const entry of settled) {
          const original = held.filter((h) => h.account === entry.account && h.direction === entry.direction);
          expect(entry.amountMinor).toBeLessThanOrEqual(sumMinor(original.map((h) => h.amountMinor)));
        }
      }),
    );
  });

  it('settles in full to exactly the held entries', () => {
    fc.assert(
      fc.property(balancedEntries, (held) => {
        expect(settlementEntries(held)).toEqual(held);
      }),
    );
  });

  it('refuses to settle for nothing or for more than was held', () => {
    const held: EntryInput[] = [
      { account: wallet, direction: 'debit', amountMinor: 100n },
      { account: fees, direction: 'credit', amountMinor: 100n },
    ];
    expect(() => settlementEntries(held, 0n)).toThrow(/between 1 and 100/);
    expect(() => settlementEntries(held, 101n)).toThrow(
      expect.objectContaining({ code: 'invalid_settlement_amount' }),
    );
  });
});

describe('a replayed posting', () => {
  it('is the same posting whatever the order of its entries, and not when any entry differs', () => {
    const a = [
      { key: 'w', direction: 'debit' as const, amountMinor: 10n },
      { key: 'f', direction: 'credit' as const, amountMinor: 10n },
    ];
    expect(samePosting(a, [...a].reverse())).toBe(true);
    expect(samePosting(a, [a[0]!, { ...a[1]!, amountMinor: 11n }])).toBe(false);
    expect(samePosting(a, [a[0]!])).toBe(false);
  });
});

describe('reconciliation of one account', () => {
  it('names each counter that differs from its entries and an overdrawn wallet', () => {
    const sums = { postedDebits: 10n, postedCredits: 100n, pendingDebits: 0n, pendingCredits: 0n };
    expect(accountDrift('wallet', sums, sums, true)).toEqual([]);
    expect(accountDrift('wallet', { ...sums, postedCredits: 101n }, sums, true)).toEqual([
      'wallet: posted_credits is 101 but its entries sum to 100',
    ]);
    const overdrawn = { ...sums, postedDebits: 120n };
    expect(accountDrift('wallet', overdrawn, overdrawn, true)).toEqual(['wallet: overdrawn, available -20']);
    expect(accountDrift('fees', overdrawn, overdrawn, false)).toEqual([]);
  });
});
