import { randomInt } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { invalid } from '../../platform/errors.js';
import { AccountIdCache } from './ledger.account-ids.js';
import {
  type BatchOptions,
  type BatchResult,
  lockWalletsAhead,
  type LockedAccounts,
  postLedgerBatch,
} from './ledger.batch.js';
import { LedgerHistory } from './ledger.history.js';
import { recordPosting, settleHold, voidHold } from './ledger.postings.js';
import { DEFAULT_LEDGER_SHARDS } from './ledger.shards.js';
import {
  DEFAULT_MAX_VIOLATIONS,
  type Reconciliation,
  reconcileLedger,
  reconcileLedgerWithin,
} from './ledger.reconciliation.js';
import { balancesOf, LedgerRepository } from './ledger.repository.js';
import { type EntryInput, holdStateOf, isUuid, type PostInput, walletBalance } from './ledger.rules.js';

export type { AccountKind, AccountRef, EntryInput, PostInput } from './ledger.rules.js';
export type { Reconciliation } from './ledger.reconciliation.js';
export type { WalletEntry, WalletHold } from './ledger.history.js';
export { DEFAULT_MAX_VIOLATIONS, MAX_VIOLATIONS_LIMIT } from './ledger.reconciliation.js';

/** Most references one transactionsByReferences call accepts; callers look up page by page. */
export const MAX_REFERENCES_PER_LOOKUP = 5_000;

export { MAX_BATCH_TRANSACTIONS } from './ledger.batch.js';
export type { BatchItemResult, BatchResult, LockedAccounts } from './ledger.batch.js';

/**
 * The ledger's facade. Every write runs in the caller's transaction, so a posting commits
 * or rolls back with the business change it records; within it, the touched accounts are
 * locked in id order, so concurrent postings serialise per account and cannot deadlock
 * one another, and no wallet can be overdrawn (checked in ledger.postings.ts and
 * ledger.batch.ts, and by the database).
 * Entries that can only raise a protected balance (credits; anything on system accounts)
 * are added to one of the account's shard rows instead, without locking it, so a busy
 * seller or the fee account does not serialise the platform (ledger.shards.ts).
 */
export class LedgerService {
  private readonly repo: LedgerRepository;
  /** Statements and lists for people (a wallet's entries, payouts): reads only. */
  readonly history: LedgerHistory;

  /** How many shard rows each account's unlocked postings spread over (ledger.shards.ts). */
  private readonly shardCount: number;
  /** Ids of committed accounts, so a batch on known accounts does not look them up. */
  readonly #knownAccounts = new AccountIdCache();

  constructor(
    private readonly db: Kysely<object>,
    options: { shards?: number } = {},
  ) {
    this.shardCount = options.shards ?? DEFAULT_LEDGER_SHARDS;
    this.repo = LedgerRepository.of(db);
    this.history = new LedgerHistory(db);
  }

  /**
   * Posts a balanced transaction. Accounts are created on first use. Idempotent by (kind,
   * reference): the same posting again returns the first one's id with created=false. Two
   * round trips when the accounts exist.
   * @throws invalid 'unbalanced_transaction', 'invalid_ledger_posting', 'invalid_ledger_account';
   *   unprocessable 'insufficient_funds'; conflict 'ledger_reference_reused' when a different
   *   posting already used the reference
   */
  post(trx: Transaction<object>, input: PostInput): Promise<{ transactionId: string; created: boolean }> {
    return recordPosting(trx, input, 'posted', this.shardCount);
  }

  /**
   * Places a hold: a pending transaction that moves nothing yet but reserves the debited
   * amounts (a wallet cannot spend what is held) until postPending or voidPending.
   * Idempotent and refused exactly as post.
   */
  hold(trx: Transaction<object>, input: PostInput): Promise<{ transactionId: string; created: boolean }> {
    return recordPosting(trx, input, 'pending', this.shardCount);
  }

  /**
   * Settles a hold, in full or for less: its entries scaled proportionally, the rest
   * released. The settlement is a new posted transaction pointing at the hold.
   * @throws not_found 'hold_not_found'; conflict 'hold_already_resolved';
   *   invalid 'invalid_settlement_amount'
   */
  postPending(
    trx: Transaction<object>,
    pendingId: string,
    amountMinor?: bigint,
  ): Promise<{ transactionId: string }> {
    return settleHold(trx, pendingId, amountMinor);
  }

  /**
   * Voids a hold: everything it reserved is released and nothing moves.
   * @throws not_found 'hold_not_found'; conflict 'hold_already_resolved'
   */
  voidPending(trx: Transaction<object>, pendingId: string): Promise<void> {
    return voidHold(trx, pendingId);
  }

  /**
   * What earlier postings moved, read in the caller's transaction: the entries of the
   * transactions found by (kind, each reference), holds included whatever became of them.
   * A refund splits its amount over what the earlier refunds of a payment left.
   */
  async entriesByReferences(
    trx: Transaction<object>,
    kind: string,
    references: readonly string[],
  ): Promise<EntryInput[]> {
    const repo = LedgerRepository.of(trx);
    const entries: EntryInput[] = [];
    for (const reference of references) {
      const found = await repo.findByReference(kind, reference);
      for (const entry of found?.entries ?? []) {
        entries.push({
          account: { kind: entry.accountKind, ownerId: entry.ownerId ?? undefined, currency: entry.currency },
          direction: entry.direction,
          amountMinor: entry.amountMinor,
        });
      }
    }
    return entries;
  }

  /** A user's wallets, one per currency they have used; amounts as in walletBalance. */
  async wallets(
    ownerId: string,
  ): Promise<{ currency: string; available: bigint; pending: bigint; posted: bigint }[]> {
    if (!isUuid(ownerId)) return [];
    const rows = await this.repo.wallets(ownerId);
    return rows.map((row) => ({ currency: row.currency, ...walletBalance(balancesOf(row)) }));
  }

  /**
   * A transaction by its idempotency key. A hold reads 'pending' until resolved, then
   * 'posted' (settled, in full or in part) or 'voided'.
   */
  async transactionByReference(
    kind: string,
    reference: string,
  ): Promise<{ id: string; status: string } | undefined> {
    const row = await this.repo.findTransaction(kind, reference);
    if (!row) return undefined;
    return {
      id: row.id,
      status: holdStateOf({ status: row.status, resolvedAt: row.resolved_at }) ?? row.status,
    };
  }

  /**
   * transactionByReference for many references of one kind, in one statement, inside the
   * caller's transaction: how another module checks its rows against the ledger page by
   * page on the same snapshot (see inReadSnapshot) without reading the ledger's tables.
   * References with no transaction are absent from the map.
   * @throws invalid 'too_many_references' above MAX_REFERENCES_PER_LOOKUP
   */
  async transactionsByReferences(
    trx: Transaction<object>,
    kind: string,
    references: readonly string[],
  ): Promise<Map<string, { id: string; status: string }>> {
    if (references.length > MAX_REFERENCES_PER_LOOKUP)
      throw invalid('too_many_references', `at most ${MAX_REFERENCES_PER_LOOKUP} references per lookup`);
    if (references.length === 0) return new Map();
    const rows = await LedgerRepository.of(trx).findTransactions(kind, references);
    return new Map(
      rows.map((row) => [
        row.reference,
        {
          id: row.id,
          status: holdStateOf({ status: row.status, resolvedAt: row.resolved_at }) ?? row.status,
        },
      ]),
    );
  }

  /**
   * Reconciles the ledger with itself on one consistent snapshot: every transaction
   * balances with at least two entries in its currency, every counter equals the sum of
   * its entries, no wallet is overdrawn, every settlement matches a resolved hold.
   * Read-only. In `snapshot`, the caller's read-only repeatable-read transaction, when
   * given (so other modules' checks see the same instant), else in a snapshot of its own.
   * Lists at most `maxViolations` (default DEFAULT_MAX_VIOLATIONS) and counts them all.
   */
  check(options: { maxViolations?: number; snapshot?: Transaction<object> } = {}): Promise<Reconciliation> {
    const max = options.maxViolations ?? DEFAULT_MAX_VIOLATIONS;
    return options.snapshot ? reconcileLedgerWithin(options.snapshot, max) : reconcileLedger(this.db, max);
  }

  /**
   * Posts many transactions in a few set-based statements, in the caller's transaction
   * (ledger.batch.ts). Each item is decided in input order as if posted alone after the
   * items before it: 'rejected' with the code post would throw ('unbalanced_transaction',
   * 'invalid_ledger_posting', 'invalid_ledger_account', 'insufficient_funds') and nothing
   * written for it; 'skipped' with the existing transaction's id when its (kind, reference)
   * is taken (not compared, unlike post); else 'posted'. The others are posted whatever is
   * rejected; the accounts of valid items are created even when the item is then refused.
   * Accounts are locked in id order as post locks them, so concurrent batches and postings
   * serialise per account; one of the same references posted by both is skipped by the
   * second, which waits for the first to commit. As in post, an account that only gains in
   * the batch (credits, and the platform's own accounts) is not locked: its net change goes
   * to a shard row, so batches that only pay wallets from a clearing account run side by
   * side. The batch is first written as if no reference were taken, in a savepoint, and
   * written again without the taken ones if one is: post at most a few dozen batches per
   * transaction (PostgreSQL tracks 64 subtransactions per transaction cheaply, and every
   * batch is one).
   * @throws invalid 'batch_too_large', 'duplicate_reference' (nothing written);
   *   conflict 'ledger_reference_taken' when, after a first attempt found some references
   *   taken, another posting took one of the rest before the second attempt (the caller's
   *   transaction must roll back; a retry skips it); unavailable 'ledger_busy'
   *
   * With `newReferences` (references no posting can have taken, such as fresh ids), the
   * batch is written without the savepoint and without waiting for its writes (see
   * postLedgerBatch): a reference taken after all fails the caller's transaction instead of
   * being skipped. With `locked` (lockWalletsAhead), those wallets are not locked again.
   */
  postBatch(
    trx: Transaction<object>,
    inputs: readonly PostInput[],
    options: BatchOptions = {},
  ): Promise<BatchResult> {
    // One shard for the whole batch, drawn at random: the batch's transaction ids are
    // time-ordered, so shardOf would send batches started together to the same shard.
    return postLedgerBatch(
      trx,
      inputs,
      () => ({ preferred: randomInt(this.shardCount), count: this.shardCount }),
      this.#knownAccounts,
      options,
    );
  }

  /**
   * Starts locking every wallet of `ownerIds` in the caller's transaction without waiting
   * for the lock: it goes out with the caller's next statement (ledger.batch.ts). Pass the
   * answer to postBatch as `locked`.
   */
  lockWalletsAhead(
    trx: Transaction<object>,
    ownerIds: readonly string[],
  ): Promise<() => Promise<LockedAccounts>> {
    return lockWalletsAhead(trx, ownerIds);
  }
}
