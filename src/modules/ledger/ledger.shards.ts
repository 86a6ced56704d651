import { type AccountKind, type Direction, refusesOverdraft } from './ledger.rules.js';

/**
 * Which postings may skip an account's row lock, as plain functions.
 *
 * Every sale credits the same platform-fee account and, in a busy shop, the same seller's
 * wallet. Locking those rows until commit would serialise the whole platform behind them,
 * so such entries go to one of the account's N shard rows instead (high-volume ledgers do
 * the same), and an account's balance is its row plus the sum of its shards.
 *
 * The rule: a posted entry may go to a shard when it can only raise what the no-overdraft
 * rule protects — a credit to any account, or any entry on an account that may go
 * negative (the platform's own accounts). Debits of wallets must see the complete balance
 * under a lock, so they keep locking the row (which folds the shards in first). Holds and
 * their releases stay on the row too: a release subtracts from the pending counters and
 * must subtract from the very row that holds the amount, while shards only ever grow.
 * Every account is shard-capable; which rows are hot is decided by traffic, not by
 * configuration: an account nobody debits never has its row locked at all.
 */

/**
 * Above the default pool (DATABASE_POOL_SIZE 10): postings in flight each claim a shard of
 * their own (ledger.shards.repository.ts), so none waits on another's credit.
 */
export const DEFAULT_LEDGER_SHARDS = 16;
/** The CHECK on ledger_account_shards.shard (0025_ledger_account_shards.sql). */
export const MAX_LEDGER_SHARDS = 64;

export interface ShardCandidate {
  /** accountKey of the entry's account. */
  key: string;
  kind: AccountKind;
  direction: Direction;
}

/** Whether one entry may be applied to a shard row without the account's row lock. */
export function entryMayUseShard(
  entry: Pick<ShardCandidate, 'kind' | 'direction'>,
  status: 'posted' | 'pending',
): boolean {
  if (status !== 'posted') return false;
  return entry.direction === 'credit' || !refusesOverdraft(entry.kind);
}

/**
 * The accounts a posting writes to shards: those whose every entry in it may use one.
 * An account with one entry that may not (a wallet debited and credited in one
 * transaction) takes all its entries to its row, so the overdraft check sees their net.
 */
export function shardedAccounts(
  entries: readonly ShardCandidate[],
  status: 'posted' | 'pending',
): Set<string> {
  const refused = new Set(entries.filter((e) => !entryMayUseShard(e, status)).map((e) => e.key));
  return new Set(entries.map((e) => e.key).filter((key) => !refused.has(key)));
}

/**
 * The shard a transaction writes to, the same for all its accounts: derived from its
 * random id, so concurrent transactions spread evenly, and two transactions that share a
 * shard take its rows in the same (account id) order and cannot deadlock on them.
 */
export function shardOf(transactionId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_LEDGER_SHARDS)
    throw new RangeError(`shard count must be 1 to ${MAX_LEDGER_SHARDS}, got ${shardCount}`);
  const head = Number.parseInt(transactionId.replaceAll('-', '').slice(0, 8), 16);
  if (!Number.isFinite(head)) throw new RangeError(`not a transaction id: ${transactionId}`);
  return head % shardCount;
}
