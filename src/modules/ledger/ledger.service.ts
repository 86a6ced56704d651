import { randomInt, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { conflict, invalid, notFound, unavailable } from '../../platform/errors.js';
import { AccountIdCache } from './ledger.account-ids.js';
import {
  type BatchOptions,
  type BatchResult,
  lockWalletsAhead,
  type LockedAccounts,
  postLedgerBatch,
} from './ledger.batch.js';
import { keyOfRow, lockAccountsOf } from './ledger.accounts.js';
import { LedgerHistory } from './ledger.history.js';
import { DEFAULT_LEDGER_SHARDS, shardedAccounts, shardOf } from './ledger.shards.js';
import { type LedgerAccountRow } from './ledger.tables.js';
import {
  DEFAULT_MAX_VIOLATIONS,
  type Reconciliation,
  reconcileLedger,
  reconcileLedgerWithin,
} from './ledger.reconciliation.js';
import { balancesOf, LedgerRepository, type NewEntry, type NewTransaction } from './ledger.repository.js';
import {
  accountKey,
  type EntryInput,
  assertNoOverdraft,
  assertValidPosting,
  balanceChanges,
  holdStateOf,
  insufficientFunds,
  isUuid,
  type PostInput,
  resolveHold,
  samePosting,
  settlementEntries,
  walletBalance,
} from './ledger.rules.js';

export type { AccountKind, AccountRef, EntryInput, PostInput } from './ledger.rules.js';
export type { Reconciliation } from './ledger.reconciliation.js';
export type { WalletEntry, WalletHold } from './ledger.history.js';
export { DEFAULT_MAX_VIOLATIONS, MAX_VIOLATIONS_LIMIT } from './ledger.reconciliation.js';

/** Most references one transactionsByReferences call accepts; callers look up page by page. */
export const MAX_REFERENCES_PER_LOOKUP = 5_000;

export { MAX_BATCH_TRANSACTIONS } from './ledger.batch.js';
export type { BatchItemResult, BatchResult, LockedAccounts } from './ledger.batch.js';
const lockedById = (rows: readonly LedgerAccountRow[]) =>
  new Map(rows.map((row) => [row.id, { noOverdraft: row.no_overdraft, balances: balancesOf(row) }]));

/** The DB's own overdraft check fired: the code's check was bypassed or is wrong. */
const isOverdraftViolation = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: string }).code === '23514' &&
  [undefined, 'ledger_accounts_no_overdraft'].includes((error as { constraint?: string }).constraint);

/**
 * The ledger's facade. Every write runs in the caller's transaction, so a posting commits
 * or rolls back with the business change it records; within it, the touched accounts are
 * locked in id order, so concurrent postings serialise per account and cannot deadlock
 * one another, and no wallet can be overdrawn (checked here, and by the database).
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
    return this.#record(trx, input, 'posted');
  }

  /**
   * Places a hold: a pending transaction that moves nothing yet but reserves the debited
   * amounts (a wallet cannot spend what is held) until postPending or voidPending.
   * Idempotent and refused exactly as post.
   */
  hold(trx: Transaction<object>, input: PostInput): Promise<{ transactionId: string; created: boolean }> {
    return this.#record(trx, input, 'pending');
  }

  /**
   * Settles a hold, in full or for less: its entries scaled proportionally, the rest
   * released. The settlement is a new posted transaction pointing at the hold.
   * @throws not_found 'hold_not_found'; conflict 'hold_already_resolved';
   *   invalid 'invalid_settlement_amount'
   */
  async postPending(
    trx: Transaction<object>,
    pendingId: string,
    amountMinor?: bigint,
  ): Promise<{ transactionId: string }> {
    const repo = LedgerRepository.of(trx);
    const hold = await this.#lockHold(repo, pendingId, 'post');
    const settled = settlementEntries(hold.entries, amountMinor);
    const accounts = await repo.lockAccountsById([...new Set(hold.entries.map((e) => e.accountId))].sort());
    const changes = balanceChanges(settled, 'posted', balanceChanges(hold.entries, 'release'));
    assertNoOverdraft(lockedById(accounts), changes);
    const transaction: NewTransaction = {
      id: randomUUID(),
      kind: hold.kind,
      reference: `settlement:${hold.id}`,
      currency: hold.currency,
      status: 'posted',
      pendingId: hold.id,
    };
    const entries = settled.map((entry) => ({ ...entry, transactionId: transaction.id }));
    await this.#guard(() =>
      repo.insertTransactions({
        transactions: [transaction],
        entries,
        changes,
        skipTaken: false,
        resolvesHold: hold.id,
      }),
    );
    return { transactionId: transaction.id };
  }

  /**
   * Voids a hold: everything it reserved is released and nothing moves.
   * @throws not_found 'hold_not_found'; conflict 'hold_already_resolved'
   */
  async voidPending(trx: Transaction<object>, pendingId: string): Promise<void> {
    const repo = LedgerRepository.of(trx);
    const hold = await this.#lockHold(repo, pendingId, 'void');
    await repo.lockAccountsById([...new Set(hold.entries.map((e) => e.accountId))].sort());
    const voided = await repo.voidHold(hold.id, balanceChanges(hold.entries, 'release'));
    if (!voided) throw conflict('hold_already_resolved', 'the hold is already resolved');
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

  async #record(trx: Transaction<object>, input: PostInput, status: 'posted' | 'pending') {
    assertValidPosting(input);
    const repo = LedgerRepository.of(trx);
    // Entries that can only raise a protected balance go to a shard, their rows unlocked.
    const sharded = shardedAccounts(
      input.entries.map((e) => ({
        key: accountKey(e.account),
        kind: e.account.kind,
        direction: e.direction,
      })),
      status,
    );
    const accounts = await lockAccountsOf(
      repo,
      input.entries.map((e) => e.account),
      sharded,
    );
    const transaction = this.#newTransaction(input, status);
    const entries = this.#place(input, accounts, transaction.id);
    const shardedIds = new Set([...sharded].map((key) => accounts.get(key)!.id));
    const changes = balanceChanges(
      entries.filter((e) => !shardedIds.has(e.accountId)),
      status,
    );
    const shard = {
      choice: { preferred: shardOf(transaction.id, this.shardCount), count: this.shardCount },
      changes: balanceChanges(
        entries.filter((e) => shardedIds.has(e.accountId)),
        status,
      ),
    };
    try {
      assertNoOverdraft(lockedById([...accounts.values()]), changes);
    } catch (error) {
      // A replay must answer as the first posting did, even after the money has moved on.
      const replay = await this.#replay(repo, input, status);
      if (replay) return replay;
      throw error;
    }
    const written = await this.#guard(() =>
      repo.insertTransactions({ transactions: [transaction], entries, changes, skipTaken: true, shard }),
    );
    if (written.length === 1) return { transactionId: transaction.id, created: true };
    const replay = await this.#replay(repo, input, status);
    if (!replay) throw unavailable('ledger_busy', 'the ledger reference is being posted concurrently; retry');
    return replay;
  }

  /** The posting already recorded under the input's reference, if it is the same posting. */
  async #replay(repo: LedgerRepository, input: PostInput, status: 'posted' | 'pending') {
    const existing = await repo.findByReference(input.kind, input.reference);
    if (!existing) return undefined;
    const wasHold = existing.status !== 'posted';
    const same =
      wasHold === (status === 'pending') &&
      existing.pendingId === null &&
      samePosting(
        existing.entries.map((e) => ({
          key: keyOfRow({ kind: e.accountKind, owner_id: e.ownerId, currency: e.currency }),
          direction: e.direction,
          amountMinor: e.amountMinor,
        })),
        input.entries.map((e) => ({
          key: accountKey(e.account),
          direction: e.direction,
          amountMinor: e.amountMinor,
        })),
      );
    if (!same) {
      throw conflict(
        'ledger_reference_reused',
        `${input.kind} ${input.reference} was already posted differently`,
      );
    }
    return { transactionId: existing.id, created: false };
  }

  async #lockHold(repo: LedgerRepository, pendingId: string, action: 'post' | 'void') {
    const hold = isUuid(pendingId) ? await repo.lockHold(pendingId) : undefined;
    const state = hold && holdStateOf(hold);
    if (!hold || !state) throw notFound('hold');
    resolveHold(state, action);
    return hold;
  }

  #newTransaction(input: PostInput, status: 'posted' | 'pending'): NewTransaction {
    const { kind, reference, currency } = input;
    return { id: randomUUID(), kind, reference, currency, status, pendingId: null };
  }

  #place(
    input: PostInput,
    accounts: ReadonlyMap<string, LedgerAccountRow>,
    transactionId: string,
  ): NewEntry[] {
    return input.entries.map((entry) => ({
      transactionId,
      accountId: accounts.get(accountKey(entry.account))!.id,
      direction: entry.direction,
      amountMinor: entry.amountMinor,
    }));
  }

  async #guard<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isOverdraftViolation(error)) throw insufficientFunds();
      if ((error as { code?: string }).code === '23505')
        throw conflict('ledger_reference_taken', 'a reference was posted concurrently; retry');
      throw error;
    }
  }
}
