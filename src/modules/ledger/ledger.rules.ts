import { conflict, invalid, unprocessable } from '../../platform/errors.js';
import {
  allocateProportionally,
  isSupportedCurrency,
  MAX_AMOUNT_MINOR,
  sumMinor,
} from '../../platform/money.js';

/**
 * The ledger's rules as plain functions over plain data: what a valid posting is, how
 * entries move an account's four counters, when an account is overdrawn, and the life of
 * a hold. No I/O here, so every rule is tested exhaustively in ledger.rules.spec.ts.
 */

export const ACCOUNT_KINDS = [
  'user_wallet',
  'platform_fees',
  'gateway_clearing',
  'payout_clearing',
  // What the platform owes the tax office, and what it pays for the discounts it funds.
  'tax_liability',
  'platform_discounts',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];
export type Direction = 'debit' | 'credit';

export interface AccountRef {
  kind: AccountKind;
  /** The owner's id for a user_wallet; absent for system accounts. */
  ownerId?: string;
  currency: string;
}

export interface EntryInput {
  account: AccountRef;
  direction: Direction;
  amountMinor: bigint;
}

export interface PostInput {
  /** What the money moved for: 'top_up', 'purchase', 'refund', 'payout'… */
  kind: string;
  /** The caller's idempotency key within `kind`, e.g. a payment id. */
  reference: string;
  currency: string;
  entries: EntryInput[];
}

/** Bounds a posting, so a bug cannot build one huge statement (and the tests know the limit). */
export const MAX_ENTRIES_PER_TRANSACTION = 64;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** Only wallets are refused an overdraft: system accounts are where money comes from. */
export const refusesOverdraft = (kind: AccountKind): boolean => kind === 'user_wallet';

/** One string per account identity, the same for every spelling of the owner id. */
export const accountKey = (ref: AccountRef): string =>
  `${ref.kind}:${ref.ownerId?.toLowerCase() ?? ''}:${ref.currency}`;

/**
 * A transaction moves money only if it is balanced: at least two entries, each for a
 * positive amount, debits summing to credits, all in one currency.
 * @throws invalid 'unbalanced_transaction'
 */
export function assertBalanced(entries: readonly EntryInput[]): void {
  if (entries.length < 2) throw unbalanced('a transaction needs at least two entries');
  for (const entry of entries) if (entry.amountMinor <= 0n) throw unbalanced('every amount must be positive');
  const currency = entries[0]!.account.currency;
  if (entries.some((e) => e.account.currency !== currency)) {
    const currencies = new Set(entries.map((e) => e.account.currency));
    throw unbalanced(`entries in several currencies (${[...currencies].join(', ')})`);
  }
  let debits = 0n;
  let credits = 0n;
  for (const entry of entries) {
    if (entry.direction === 'debit') debits += entry.amountMinor;
    else if (entry.direction === 'credit') credits += entry.amountMinor;
  }
  if (debits !== credits) throw unbalanced(`debits ${debits} differ from credits ${credits}`);
}

// Module-level, not closures per call: a batch validates thousands of postings.
const unbalanced = (why: string) => invalid('unbalanced_transaction', `unbalanced transaction: ${why}`);
const invalidPosting = (why: string) => invalid('invalid_ledger_posting', why);
const invalidAccount = (why: string) => invalid('invalid_ledger_account', why);

/**
 * Everything a posting must satisfy before it reaches the database.
 * @throws invalid 'unbalanced_transaction', 'invalid_ledger_posting', 'invalid_ledger_account'
 */
export function assertValidPosting(input: PostInput): void {
  if (input.kind.length < 1 || input.kind.length > 64)
    throw invalidPosting('kind must be 1 to 64 characters');
  if (input.reference.length < 1 || input.reference.length > 200)
    throw invalidPosting('reference must be 1 to 200 characters');
  if (!isSupportedCurrency(input.currency)) throw invalidPosting(`unsupported currency ${input.currency}`);
  if (input.entries.length > MAX_ENTRIES_PER_TRANSACTION)
    throw invalidPosting(`at most ${MAX_ENTRIES_PER_TRANSACTION} entries per transaction`);
  for (const { account, direction, amountMinor } of input.entries) {
    assertValidAccount(account);
    if (direction !== 'debit' && direction !== 'credit')
      throw invalidPosting('a direction is debit or credit');
    if (amountMinor > MAX_AMOUNT_MINOR) throw invalidPosting(`an amount is above ${MAX_AMOUNT_MINOR}`);
  }
  assertBalanced(input.entries);
  if (input.entries[0]!.account.currency !== input.currency)
    throw invalid('unbalanced_transaction', `unbalanced transaction: entries are not in ${input.currency}`);
}

function assertValidAccount(ref: AccountRef): void {
  if (!(ACCOUNT_KINDS as readonly string[]).includes(ref.kind))
    throw invalidAccount(`unknown account kind ${ref.kind}`);
  if (ref.kind === 'user_wallet') {
    if (ref.ownerId === undefined || !isUuid(ref.ownerId))
      throw invalidAccount('a user_wallet needs an owner id (uuid)');
  } else if (ref.ownerId !== undefined) {
    throw invalidAccount(`a ${ref.kind} account has no owner`);
  }
}

/** An account's four counters, each the sum of one kind of its entries. */
export interface Balances {
  postedDebits: bigint;
  postedCredits: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

export const ZERO_BALANCES: Readonly<Balances> = Object.freeze({
  postedDebits: 0n,
  postedCredits: 0n,
  pendingDebits: 0n,
  pendingCredits: 0n,
});

export const addBalances = (a: Balances, b: Balances): Balances => ({
  postedDebits: a.postedDebits + b.postedDebits,
  postedCredits: a.postedCredits + b.postedCredits,
  pendingDebits: a.pendingDebits + b.pendingDebits,
  pendingCredits: a.pendingCredits + b.pendingCredits,
});

/**
 * What a user sees of a credit-normal wallet. `posted` is what has settled; `pending` is
 * the net of unresolved holds (negative while money is held for a payment), so posted +
 * pending is the balance once every hold settles in full; `available` is what can be
 * spent now: held debits count as spent, pending credits do not count as received.
 */
export function walletBalance(b: Balances): { posted: bigint; pending: bigint; available: bigint } {
  const posted = b.postedCredits - b.postedDebits;
  return { posted, pending: b.pendingCredits - b.pendingDebits, available: posted - b.pendingDebits };
}

/** The overdraft rule, the same as the ledger_accounts_no_overdraft constraint. */
export const isOverdrawn = (b: Balances): boolean => b.postedDebits + b.pendingDebits > b.postedCredits;

/**
 * How entries change the counters: 'posted' and 'pending' add to the matching counter;
 * 'release' takes a hold's entries back out of the pending counters.
 */
export type EntryEffect = 'posted' | 'pending' | 'release';

export interface PlacedEntry {
  accountId: string;
  direction: Direction;
  amountMinor: bigint;
}

export function balanceChanges(
  entries: readonly PlacedEntry[],
  effect: EntryEffect,
  into: Map<string, Balances> = new Map(),
): Map<string, Balances> {
  for (const { accountId, direction, amountMinor } of entries) {
    const amount = effect === 'release' ? -amountMinor : amountMinor;
    const field: keyof Balances =
      effect === 'posted'
        ? direction === 'debit'
          ? 'postedDebits'
          : 'postedCredits'
        : direction === 'debit'
          ? 'pendingDebits'
          : 'pendingCredits';
    const change = { ...(into.get(accountId) ?? ZERO_BALANCES) };
    change[field] += amount;
    into.set(accountId, change);
  }
  return into;
}

/**
 * Applies `changes` to the locked accounts and refuses if any account that must not be
 * overdrawn would be. Accounts already overdrawn (only possible after manual tampering)
 * are refused too: nothing may make a broken account worse or hide it.
 * @throws unprocessable 'insufficient_funds'
 */
export function assertNoOverdraft(
  accounts: ReadonlyMap<string, { noOverdraft: boolean; balances: Balances }>,
  changes: ReadonlyMap<string, Balances>,
): void {
  for (const [accountId, change] of changes) {
    const account = accounts.get(accountId);
    if (!account) throw new Error(`account ${accountId} was not locked before posting`);
    if (account.noOverdraft && isOverdrawn(addBalances(account.balances, change))) throw insufficientFunds();
  }
}

export const insufficientFunds = () => unprocessable('insufficient_funds', 'insufficient funds');

/**
 * The life of a hold, as one table: an unresolved hold is posted (in full or in part) or
 * voided, once. Everything not in the table is refused.
 */
export type HoldState = 'pending' | 'posted' | 'voided';
export type HoldAction = 'post' | 'void';

export const HOLD_TRANSITIONS: Readonly<Record<HoldState, Readonly<Partial<Record<HoldAction, HoldState>>>>> =
  {
    pending: { post: 'posted', void: 'voided' },
    posted: {},
    voided: {},
  };

/** @throws conflict 'hold_already_resolved' */
export function resolveHold(state: HoldState, action: HoldAction): HoldState {
  const next = HOLD_TRANSITIONS[state][action];
  if (!next) throw conflict('hold_already_resolved', `the hold is already ${state}`);
  return next;
}

export type TransactionStatus = 'posted' | 'pending' | 'voided';

/**
 * A hold's state from its row: a settled hold keeps status 'pending' (its entries stay
 * what was held; the settlement is its own transaction) and only gains resolved_at.
 * Undefined for a transaction that is not a hold.
 */
export function holdStateOf(row: {
  status: TransactionStatus;
  resolvedAt: Date | null;
}): HoldState | undefined {
  if (row.status === 'voided') return 'voided';
  if (row.status === 'pending') return row.resolvedAt === null ? 'pending' : 'posted';
  return undefined;
}

/**
 * The entries that settle a hold for `amountMinor` (the whole hold when omitted): debits
 * and credits are each scaled in proportion to what was held, so the settlement balances
 * and no account receives or gives more than it held. Parts that round to zero are left
 * out, since an entry is never zero.
 * @throws invalid 'invalid_settlement_amount' for an amount not in 1..held
 */
export function settlementEntries<E extends { direction: Direction; amountMinor: bigint }>(
  held: readonly E[],
  amountMinor?: bigint,
): E[] {
  const total = sumMinor(held.filter((e) => e.direction === 'debit').map((e) => e.amountMinor));
  const amount = amountMinor ?? total;
  if (amount <= 0n || amount > total) {
    throw invalid('invalid_settlement_amount', `the amount to post must be between 1 and ${total}`);
  }
  const scaled: bigint[] = held.map(() => 0n);
  for (const direction of ['debit', 'credit'] as const) {
    const side = held.flatMap((entry, index) => (entry.direction === direction ? [index] : []));
    const parts = allocateProportionally(
      amount,
      side.map((index) => held[index]!.amountMinor),
    );
    side.forEach((index, part) => (scaled[index] = parts[part]!));
  }
  return held
    .map((entry, index) => ({ ...entry, amountMinor: scaled[index]! }))
    .filter((entry) => entry.amountMinor > 0n);
}

/**
 * Whether a replayed posting is the one already recorded under its reference: the same
 * entries, in any order. A different posting under a used reference is a caller's bug.
 */
export function samePosting(
  a: readonly { key: string; direction: Direction; amountMinor: bigint }[],
  b: readonly { key: string; direction: Direction; amountMinor: bigint }[],
): boolean {
  const canonical = (entries: typeof a) =>
    entries
      .map((e) => `${e.key}|${e.direction}|${e.amountMinor}`)
      .sort()
      .join('\n');
  return a.length === b.length && canonical(a) === canonical(b);
}

/** What reconciliation reports about one account whose counters disagree with its entries. */
export function accountDrift(
  label: string,
  counters: Balances,
  sums: Balances,
  noOverdraft: boolean,
): string[] {
  const names: Record<keyof Balances, string> = {
    postedDebits: 'posted_debits',
    postedCredits: 'posted_credits',
    pendingDebits: 'pending_debits',
    pendingCredits: 'pending_credits',
  };
  const violations = (Object.keys(names) as (keyof Balances)[])
    .filter((field) => counters[field] !== sums[field])
    .map((field) => `${label}: ${names[field]} is ${counters[field]} but its entries sum to ${sums[field]}`);
  if (noOverdraft && (isOverdrawn(counters) || isOverdrawn(sums))) {
    const { available } = walletBalance(isOverdrawn(sums) ? sums : counters);
    violations.push(`${label}: overdrawn, available ${available}`);
  }
  return violations;
}
