import { invalid, isAppError } from '../../platform/errors.js';
import {
  accountKey,
  type AccountRef,
  addBalances,
  assertValidPosting,
  type Balances,
  insufficientFunds,
  isOverdrawn,
  type PostInput,
} from './ledger.rules.js';
import { entryMayUseShard } from './ledger.shards.js';

/**
 * What a batch of postings becomes, as plain functions over plain data: which items are
 * refused before anything is read, and, once the accounts are locked and the taken
 * references known, which are posted, skipped or rejected and what that writes. No I/O
 * here (ledger.batch.ts does it), so the rules are tested in ledger.batch.plan.spec.ts.
 */

/** Most transactions one postBatch call accepts; a bulk load calls it repeatedly. */
export const MAX_BATCH_TRANSACTIONS = 5_000;

export type BatchItemResult =
  | { index: number; status: 'posted'; transactionId: string }
  /** The reference was already taken (by this posting or another): nothing written. */
  | { index: number; status: 'skipped'; transactionId: string }
  | { index: number; status: 'rejected'; code: string; message: string };

export type RejectedItem = Extract<BatchItemResult, { status: 'rejected' }>;

export interface BatchResult {
  posted: number;
  skipped: number;
  rejected: number;
  /** One per input, in input order. */
  results: BatchItemResult[];
}

/**
 * An account as the plan needs it. A locked one's balances include everything committed;
 * an `unlocked` one only receives what cannot overdraw it (its net change goes to a shard),
 * so its balances are neither complete nor checked.
 */
export interface BatchAccount {
  id: string;
  noOverdraft: boolean;
  balances: Balances;
  unlocked?: true;
}

export interface PlannedTransaction {
  id: string;
  kind: string;
  reference: string;
  currency: string;
}

export interface PlannedEntry {
  transactionId: string;
  accountId: string;
  direction: 'debit' | 'credit';
  amountMinor: bigint;
}

export interface BatchPlan {
  results: BatchItemResult[];
  transactions: PlannedTransaction[];
  /** In input order, each transaction's entries together. */
  entries: PlannedEntry[];
  /** The net change of every account the posted items touch: one update per account. */
  changes: Map<string, Balances>;
}

/** The identity of a posting's idempotency key; the kind's length keeps any two distinct pairs apart. */
export const referenceKey = (input: { kind: string; reference: string }): string =>
  `${input.kind.length}:${input.kind}:${input.reference}`;

/**
 * Refuses the whole batch for what no single item can answer (too many items, a
 * reference twice), and lists the items that are not valid postings, each with its code.
 * @throws invalid 'batch_too_large', 'duplicate_reference'
 */
export function screenBatch(inputs: readonly PostInput[]): Map<number, RejectedItem> {
  if (inputs.length > MAX_BATCH_TRANSACTIONS)
    throw invalid('batch_too_large', `at most ${MAX_BATCH_TRANSACTIONS} transactions per batch`);
  const seen = new Set<string>();
  const rejected = new Map<number, RejectedItem>();
  inputs.forEach((input, index) => {
    const key = referenceKey(input);
    if (seen.has(key)) throw invalid('duplicate_reference', `${input.kind} ${input.reference} appears twice`);
    seen.add(key);
    try {
      assertValidPosting(input);
    } catch (error) {
      if (!isAppError(error)) throw error;
      rejected.set(index, { index, status: 'rejected', code: error.code, message: error.message });
    }
  });
  return rejected;
}

/**
 * The accounts the valid items name, once each, and which of them may go unlocked: those
 * whose every entry in the batch may use a shard (the rule of ledger.shards.ts). One pass,
 * each entry's account key built once: a batch has thousands of entries.
 */
export function accountsOf(
  inputs: readonly PostInput[],
  rejected: ReadonlyMap<number, RejectedItem>,
): { refs: Map<string, AccountRef>; unlocked: Set<string>; keys: EntryKeys } {
  const refs = new Map<string, AccountRef>();
  const lockedKeys = new Set<string>();
  const keys: EntryKeys = [];
  for (let index = 0; index < inputs.length; index++) {
    if (rejected.has(index)) continue;
    const { entries } = inputs[index]!;
    const own: string[] = (keys[index] = []);
    for (let i = 0; i < entries.length; i++) {
      const { account, direction } = entries[i]!;
      const key = accountKey(account);
      own.push(key);
      if (!refs.has(key)) refs.set(key, account);
      if (!entryMayUseShard({ kind: account.kind, direction }, 'posted')) lockedKeys.add(key);
    }
  }
  const unlocked = new Set<string>();
  for (const key of refs.keys()) if (!lockedKeys.has(key)) unlocked.add(key);
  return { refs, unlocked, keys };
}

/** The accountKey of every entry of every valid item, by item index then entry: built once a batch. */
export type EntryKeys = (string[] | undefined)[];

const copy = (b: Balances): Balances => ({ ...b });

/** Adds one posted entry to a change (a new one when there is none yet). */
function bump(change: Balances | undefined, direction: 'debit' | 'credit', amount: bigint): Balances {
  const into = change ?? { postedDebits: 0n, postedCredits: 0n, pendingDebits: 0n, pendingCredits: 0n };
  if (direction === 'debit') into.postedDebits += amount;
  else into.postedCredits += amount;
  return into;
}

/**
 * Decides every item in input order, as if each were posted alone after its predecessors:
 * rejected as screened; skipped when its reference is taken; rejected 'insufficient_funds'
 * when it would leave an account that refuses overdrafts overdrawn (or touches one that
 * already is, as post refuses), given the balances the items posted before it leave;
 * posted otherwise.
 * @param accounts every account the valid items name, by accountKey, locked unless `unlocked`
 * @param taken the existing transaction id of every taken reference, by referenceKey
 */
export function planBatch(args: {
  inputs: readonly PostInput[];
  rejected: ReadonlyMap<number, RejectedItem>;
  taken: ReadonlyMap<string, string>;
  accounts: ReadonlyMap<string, BatchAccount>;
  newId: () => string;
  /** accountsOf's keys, when the caller has them (else each is built again). */
  keys?: EntryKeys;
}): BatchPlan {
  const { inputs, rejected, taken, accounts, newId, keys } = args;
  // Running balances of the accounts the rule applies to; the others cannot be refused.
  const running = new Map<string, Balances>();
  for (const account of accounts.values())
    if (account.noOverdraft && !account.unlocked) running.set(account.id, copy(account.balances));
  const plan: BatchPlan = { results: [], transactions: [], entries: [], changes: new Map() };
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index]!;
    const screened = rejected.get(index);
    const existing = screened || taken.size === 0 ? undefined : taken.get(referenceKey(input));
    if (screened) plan.results.push(screened);
    else if (existing) plan.results.push({ index, status: 'skipped', transactionId: existing });
    else plan.results.push(place(plan, running, input, index, accounts, newId, keys?.[index]));
  }
  return plan;
}

/**
 * Posts one item into the plan unless it would overdraw, and says which it was. Written
 * as plain loops over few objects: it runs once per item, thousands of times a batch.
 */
function place(
  plan: BatchPlan,
  running: Map<string, Balances>,
  input: PostInput,
  index: number,
  accounts: ReadonlyMap<string, BatchAccount>,
  newId: () => string,
  keys: readonly string[] | undefined,
): BatchItemResult {
  const { entries } = input;
  const ids: string[] = [];
  // The item's own net change of each protected account it touches (a few at most).
  const ownIds: string[] = [];
  const own: Balances[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const account = accounts.get(keys?.[i] ?? accountKey(entry.account));
    if (!account) throw new Error(`account ${accountKey(entry.account)} was not locked before planning`);
    ids.push(account.id);
    if (!running.has(account.id)) continue;
    let k = ownIds.indexOf(account.id);
    if (k < 0) k = ownIds.push(account.id) - 1;
    own[k] = bump(own[k], entry.direction, entry.amountMinor);
  }
  const after: Balances[] = [];
  for (let k = 0; k < ownIds.length; k++) {
    after[k] = addBalances(running.get(ownIds[k]!)!, own[k]!);
    if (isOverdrawn(after[k]!)) {
      const refusal = insufficientFunds();
      return { index, status: 'rejected', code: refusal.code, message: refusal.message };
    }
  }
  for (let k = 0; k < ownIds.length; k++) running.set(ownIds[k]!, after[k]!);
  const transactionId = newId();
  plan.transactions.push({
    id: transactionId,
    kind: input.kind,
    reference: input.reference,
    currency: input.currency,
  });
  for (let i = 0; i < entries.length; i++) {
    const { direction, amountMinor } = entries[i]!;
    plan.entries.push({ transactionId, accountId: ids[i]!, direction, amountMinor });
    plan.changes.set(ids[i]!, bump(plan.changes.get(ids[i]!), direction, amountMinor));
  }
  return { index, status: 'posted', transactionId };
}

/**
 * Splits a plan's writes into statements of at most about `maxEntries` entries each, whole
 * transactions only (an entry's transaction is inserted with it, never after it); a
 * transaction with more entries than that gets a statement of its own.
 */
export function statementParts(
  plan: Pick<BatchPlan, 'transactions' | 'entries'>,
  maxEntries: number,
): { transactions: PlannedTransaction[]; entries: PlannedEntry[] }[] {
  const { transactions, entries } = plan;
  const parts: { transactions: PlannedTransaction[]; entries: PlannedEntry[] }[] = [];
  let t = 0;
  let e = 0;
  while (t < transactions.length) {
    const [tStart, eStart] = [t, e];
    do {
      const id = transactions[t]!.id;
      while (e < entries.length && entries[e]!.transactionId === id) e++;
      t++;
    } while (t < transactions.length && e - eStart < maxEntries);
    parts.push({ transactions: transactions.slice(tStart, t), entries: entries.slice(eStart, e) });
  }
  return parts;
}

/** The counts a caller reads first. */
export function summarise(results: BatchItemResult[]): BatchResult {
  const summary: BatchResult = { posted: 0, skipped: 0, rejected: 0, results };
  for (const { status } of results) summary[status]++;
  return summary;
}
