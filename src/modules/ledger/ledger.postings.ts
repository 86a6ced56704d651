import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { conflict, notFound, unavailable } from '../../platform/errors.js';
import { keyOfRow, lockAccountsOf } from './ledger.accounts.js';
import { shardedAccounts, shardOf } from './ledger.shards.js';
import { type LedgerAccountRow } from './ledger.tables.js';
import { balancesOf, LedgerRepository, type NewEntry, type NewTransaction } from './ledger.repository.js';
import {
  accountKey,
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
} from './ledger.rules.js';

// One posting at a time, in the caller's transaction: the write paths behind LedgerService's
// post, hold, postPending and voidPending. Batches are ledger.batch.ts.

type Status = 'posted' | 'pending';

const lockedById = (rows: readonly LedgerAccountRow[]) =>
  new Map(rows.map((row) => [row.id, { noOverdraft: row.no_overdraft, balances: balancesOf(row) }]));

/** The DB's own overdraft check fired: the code's check was bypassed or is wrong. */
const isOverdraftViolation = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: string }).code === '23514' &&
  [undefined, 'ledger_accounts_no_overdraft'].includes((error as { constraint?: string }).constraint);

/**
 * Records one posted or pending transaction, idempotent by (kind, reference). Entries that
 * can only raise a protected balance go to one of `shardCount` shard rows, their accounts
 * unlocked; the rest are locked in id order and checked against overdraft.
 */
export async function recordPosting(
  trx: Transaction<object>,
  input: PostInput,
  status: Status,
  shardCount: number,
): Promise<{ transactionId: string; created: boolean }> {
  assertValidPosting(input);
  const repo = LedgerRepository.of(trx);
  const sharded = shardedAccounts(
    input.entries.map((e) => ({ key: accountKey(e.account), kind: e.account.kind, direction: e.direction })),
    status,
  );
  const accounts = await lockAccountsOf(
    repo,
    input.entries.map((e) => e.account),
    sharded,
  );
  const transaction = newTransaction(input, status);
  const entries = place(input, accounts, transaction.id);
  const shardedIds = new Set([...sharded].map((key) => accounts.get(key)!.id));
  const changes = balanceChanges(
    entries.filter((e) => !shardedIds.has(e.accountId)),
    status,
  );
  const shard = {
    choice: { preferred: shardOf(transaction.id, shardCount), count: shardCount },
    changes: balanceChanges(
      entries.filter((e) => shardedIds.has(e.accountId)),
      status,
    ),
  };
  try {
    assertNoOverdraft(lockedById([...accounts.values()]), changes);
  } catch (error) {
    // A replay must answer as the first posting did, even after the money has moved on.
    const replay = await replayOf(repo, input, status);
    if (replay) return replay;
    throw error;
  }
  const written = await guard(() =>
    repo.insertTransactions({ transactions: [transaction], entries, changes, skipTaken: true, shard }),
  );
  if (written.length === 1) return { transactionId: transaction.id, created: true };
  const replay = await replayOf(repo, input, status);
  if (!replay) throw unavailable('ledger_busy', 'the ledger reference is being posted concurrently; retry');
  return replay;
}

/** Settles a hold, in full or for `amountMinor`, as a new posted transaction pointing at it. */
export async function settleHold(
  trx: Transaction<object>,
  pendingId: string,
  amountMinor?: bigint,
): Promise<{ transactionId: string }> {
  const repo = LedgerRepository.of(trx);
  const hold = await lockHold(repo, pendingId, 'post');
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
  await guard(() =>
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

/** Voids a hold: everything it reserved is released and nothing moves. */
export async function voidHold(trx: Transaction<object>, pendingId: string): Promise<void> {
  const repo = LedgerRepository.of(trx);
  const hold = await lockHold(repo, pendingId, 'void');
  await repo.lockAccountsById([...new Set(hold.entries.map((e) => e.accountId))].sort());
  const voided = await repo.voidHold(hold.id, balanceChanges(hold.entries, 'release'));
  if (!voided) throw conflict('hold_already_resolved', 'the hold is already resolved');
}

/** The posting already recorded under the input's reference, if it is the same posting. */
async function replayOf(repo: LedgerRepository, input: PostInput, status: Status) {
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

async function lockHold(repo: LedgerRepository, pendingId: string, action: 'post' | 'void') {
  const hold = isUuid(pendingId) ? await repo.lockHold(pendingId) : undefined;
  const state = hold && holdStateOf(hold);
  if (!hold || !state) throw notFound('hold');
  resolveHold(state, action);
  return hold;
}

function newTransaction(input: PostInput, status: Status): NewTransaction {
  const { kind, reference, currency } = input;
  return { id: randomUUID(), kind, reference, currency, status, pendingId: null };
}

function place(
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

/** Maps the database's own refusals to the ledger's errors. */
async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isOverdraftViolation(error)) throw insufficientFunds();
    if ((error as { code?: string }).code === '23505')
      throw conflict('ledger_reference_taken', 'a reference was posted concurrently; retry');
    throw error;
  }
}
