import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountsOf,
  type BatchAccount,
  MAX_BATCH_TRANSACTIONS,
  planBatch,
  referenceKey,
  screenBatch,
  statementParts,
  summarise,
} from './ledger.batch.plan.js';
import {
  accountKey,
  type AccountRef,
  addBalances,
  assertNoOverdraft,
  type Balances,
  balanceChanges,
  type PostInput,
  ZERO_BALANCES,
} from './ledger.rules.js';

const OWNERS = [
  '7b0e8f0c-1c7e-4f6e-9d55-0a4f0e7c1111',
  '7b0e8f0c-1c7e-4f6e-9d55-0a4f0e7c2222',
  '7b0e8f0c-1c7e-4f6e-9d55-0a4f0e7c3333',
];
const wallet = (i: number): AccountRef => ({ kind: 'user_wallet', ownerId: OWNERS[i]!, currency: 'IDR' });
const clearing: AccountRef = { kind: 'gateway_clearing', currency: 'IDR' };

const move = (from: AccountRef, to: AccountRef, amountMinor: bigint, reference: string): PostInput => ({
  kind: 'test',
  reference,
  currency: 'IDR',
  entries: [
    { account: from, direction: 'debit', amountMinor },
    { account: to, direction: 'credit', amountMinor },
  ],
});

/** Every account the tests name, locked with the given posted credits. */
const lockedAccounts = (credits: bigint[] = [0n, 0n, 0n]) => {
  const accounts = new Map<string, BatchAccount>();
  credits.forEach((postedCredits, i) =>
    accounts.set(accountKey(wallet(i)), {
      id: `wallet-${i}`,
      noOverdraft: true,
      balances: { ...ZERO_BALANCES, postedCredits },
    }),
  );
  accounts.set(accountKey(clearing), { id: 'clearing', noOverdraft: false, balances: { ...ZERO_BALANCES } });
  return accounts;
};

let counter = 0;
const newId = () => `tx-${++counter}`;

const plan = (inputs: PostInput[], accounts = lockedAccounts(), taken = new Map<string, string>()) =>
  planBatch({ inputs, rejected: screenBatch(inputs), taken, accounts, newId });

describe('screening a batch', () => {
  it('refuses a batch above the limit and a reference given twice, whatever else it holds', () => {
    const many = Array.from({ length: MAX_BATCH_TRANSACTIONS + 1 }, (_, i) =>
      move(clearing, wallet(0), 1n, `r${i}`),
    );
    expect(() => screenBatch(many)).toThrow(expect.objectContaining({ code: 'batch_too_large' }));
    expect(screenBatch(many.slice(1)).size).toBe(0);
    const twice = [move(clearing, wallet(0), 1n, 'same'), move(clearing, wallet(1), 2n, 'same')];
    expect(() => screenBatch(twice)).toThrow(expect.objectContaining({ code: 'duplicate_reference' }));
  });

  it('rejects an item that is not a valid posting with the code post would throw, and names none of its accounts', () => {
    const unbalanced: PostInput = {
      ...move(clearing, wallet(0), 5n, 'unbalanced'),
      entries: [
        { account: clearing, direction: 'debit', amountMinor: 5n },
        { account: wallet(1), direction: 'credit', amountMinor: 4n },
      ],
    };
    const badOwner = move(clearing, { ...wallet(0), ownerId: 'not-a-uuid' }, 5n, 'bad-owner');
    const inputs = [move(clearing, wallet(0), 5n, 'ok'), unbalanced, badOwner];
    const rejected = screenBatch(inputs);
    expect([...rejected.values()]).toEqual([
      expect.objectContaining({ index: 1, status: 'rejected', code: 'unbalanced_transaction' }),
      expect.objectContaining({ index: 2, status: 'rejected', code: 'invalid_ledger_account' }),
    ]);
    const { refs, unlocked } = accountsOf(inputs, rejected);
    expect([...refs.keys()].sort()).toEqual([accountKey(clearing), accountKey(wallet(0))].sort());
    // The clearing account may go negative and the wallet is only credited: neither is locked.
    expect([...unlocked].sort()).toEqual([accountKey(clearing), accountKey(wallet(0))].sort());
  });

  it('locks an account debited anywhere in the batch that refuses overdrafts', () => {
    const inputs = [move(clearing, wallet(0), 5n, 'in'), move(wallet(0), wallet(1), 3n, 'out')];
    const { refs, unlocked } = accountsOf(inputs, screenBatch(inputs));
    expect(refs.size).toBe(3);
    expect([...unlocked].sort()).toEqual([accountKey(clearing), accountKey(wallet(1))].sort());
  });
});

describe('planning a batch', () => {
  it('checks each item against the balances its predecessors leave', () => {
    const inputs = [
      move(wallet(0), wallet(1), 10n, 'spend-before-top-up'),
      move(clearing, wallet(0), 10n, 'top-up'),
      move(wallet(0), wallet(1), 10n, 'spend-after-top-up'),
      move(wallet(0), wallet(1), 1n, 'one-too-many'),
    ];
    const { results, transactions, changes } = plan(inputs);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'posted', 'posted', 'rejected']);
    expect(results[0]).toMatchObject({ code: 'insufficient_funds' });
    expect(transactions.map((t) => t.reference)).toEqual(['top-up', 'spend-after-top-up']);
    expect(changes.get('wallet-0')).toEqual({ ...ZERO_BALANCES, postedCredits: 10n, postedDebits: 10n });
    expect(changes.get('wallet-1')).toEqual({ ...ZERO_BALANCES, postedCredits: 10n });
  });

  it('skips a taken reference with the existing transaction and writes nothing for it', () => {
    const inputs = [move(clearing, wallet(0), 7n, 'old'), move(clearing, wallet(0), 8n, 'new')];
    const taken = new Map([[referenceKey(inputs[0]!), 'existing-id']]);
    const { results, entries, changes } = plan(inputs, lockedAccounts(), taken);
    expect(results[0]).toEqual({ index: 0, status: 'skipped', transactionId: 'existing-id' });
    expect(results[1]).toMatchObject({ index: 1, status: 'posted' });
    expect(entries.map((e) => e.amountMinor)).toEqual([8n, 8n]);
    expect(changes.get('wallet-0')).toEqual({ ...ZERO_BALANCES, postedCredits: 8n });
  });

  it('refuses anything that touches an account already overdrawn, as post does', () => {
    const accounts = lockedAccounts();
    accounts.get(accountKey(wallet(2)))!.balances = { ...ZERO_BALANCES, postedDebits: 5n };
    const { results } = plan([move(clearing, wallet(2), 1n, 'not-enough')], accounts);
    expect(results[0]).toMatchObject({ status: 'rejected', code: 'insufficient_funds' });
  });

  it('counts each outcome once, in input order', () => {
    const inputs = [move(clearing, wallet(0), 1n, 'a'), move(wallet(1), wallet(0), 1n, 'b')];
    const result = summarise(plan(inputs).results);
    expect(result).toMatchObject({ posted: 1, skipped: 0, rejected: 1 });
    expect(result.results.map((r) => r.index)).toEqual([0, 1]);
  });

  it('posts exactly the items that one-by-one posting would, with the same final balances', () => {
    const item = fc.record({
      from: fc.integer({ min: -1, max: 2 }),
      to: fc.integer({ min: -1, max: 2 }),
      amount: fc.bigInt({ min: 1n, max: 100n }),
    });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 30 }),
        fc.array(fc.bigInt({ min: 0n, max: 100n }), { minLength: 3, maxLength: 3 }),
        (items, credits) => {
          const ref = (i: number) => (i < 0 ? clearing : wallet(i));
          const inputs = items
            .filter(({ from, to }) => from !== to)
            .map(({ from, to, amount }, i) => move(ref(from), ref(to), amount, `r${i}`));
          const accounts = lockedAccounts(credits);
          const { results, changes } = plan(inputs, accounts);
          // The reference: post each item alone, refusing it when assertNoOverdraft throws.
          const byId = new Map([...accounts.values()].map((a) => [a.id, { ...a }]));
          const expected: string[] = [];
          for (const input of inputs) {
            const own = balanceChanges(
              input.entries.map((e) => ({ ...e, accountId: accounts.get(accountKey(e.account))!.id })),
              'posted',
            );
            try {
              assertNoOverdraft(byId, own);
            } catch {
              expected.push('rejected');
              continue;
            }
            for (const [id, change] of own)
              byId.get(id)!.balances = addBalances(byId.get(id)!.balances, change);
            expected.push('posted');
          }
          expect(results.map((r) => r.status)).toEqual(expected);
          for (const account of accounts.values()) {
            const final = addBalances(account.balances, changes.get(account.id) ?? ZERO_BALANCES);
            expect(final).toEqual(byId.get(account.id)!.balances satisfies Balances);
          }
        },
      ),
    );
  });
});

describe('splitting the writes into statements', () => {
  it('keeps every transaction whole and with its entries, in order, within the bound', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 2, max: 9 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 25 }),
        (sizes, maxEntries) => {
          const transactions = sizes.map((_, i) => ({
            id: `t${i}`,
            kind: 'k',
            reference: `r${i}`,
            currency: 'IDR',
          }));
          const entries = sizes.flatMap((size, i) =>
            Array.from({ length: size }, () => ({
              transactionId: `t${i}`,
              accountId: 'a',
              direction: 'debit' as const,
              amountMinor: 1n,
            })),
          );
          const parts = statementParts({ transactions, entries }, maxEntries);
          expect(parts.flatMap((p) => p.transactions)).toEqual(transactions);
          expect(parts.flatMap((p) => p.entries)).toEqual(entries);
          for (const part of parts) {
            const ids = new Set(part.transactions.map((t) => t.id));
            expect(part.entries.every((e) => ids.has(e.transactionId))).toBe(true);
            // Over the bound only by the last transaction that crossed it.
            const last = part.transactions.at(-1)!;
            const before = part.entries.filter((e) => e.transactionId !== last.id).length;
            expect(before).toBeLessThan(maxEntries);
          }
        },
      ),
    );
  });
});
