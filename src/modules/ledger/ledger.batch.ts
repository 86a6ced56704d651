import { type RawBuilder, sql, type Transaction } from 'kysely';
import { sendAhead, sendForLater } from '../../platform/db/send-ahead.js';
import { conflict, unavailable } from '../../platform/errors.js';
import {
  accountsOf,
  type BatchAccount,
  type BatchPlan,
  type BatchResult,
  planBatch,
  referenceKey,
  screenBatch,
  statementParts,
  summarise,
} from './ledger.batch.plan.js';
import type { AccountIdCache, KnownAccount } from './ledger.account-ids.js';
import { timeOrderedId as newId } from './ledger.batch.ids.js';
import { LedgerBatchRepository, type PostedRows } from './ledger.batch.repository.js';
import { balancesOf, LedgerRepository, type WantedAccount } from './ledger.repository.js';
import type { ShardChoice } from './ledger.shards.repository.js';
import type { LedgerAccountRow } from './ledger.tables.js';
import {
  accountKey,
  type AccountRef,
  type Balances,
  insufficientFunds,
  type PostInput,
  refusesOverdraft,
  ZERO_BALANCES,
} from './ledger.rules.js';

export { MAX_BATCH_TRANSACTIONS } from './ledger.batch.plan.js';
export type { BatchItemResult, BatchResult } from './ledger.batch.plan.js';

// Bounds each write statement's arrays; a typical batch (two or three entries a
// transaction) is written in one statement.
const ENTRIES_PER_STATEMENT = 20_000;
// A concurrent posting may create one of the accounts while this one waits: ask again.
const LOCK_ATTEMPTS = 3;

/** Accounts the caller's transaction locked before its batch (lockWalletsAhead), by key. */
export type LockedAccounts = ReadonlyMap<string, BatchAccount>;

export interface BatchOptions {
  /** Every reference is new by construction: see postLedgerBatch. */
  newReferences?: boolean;
  /** Accounts already locked (lockWalletsAhead): not locked again, their balances as read then. */
  locked?: () => Promise<LockedAccounts>;
}

const accountOf = (row: LedgerAccountRow): [string, BatchAccount] => [
  accountKey({ kind: row.kind, ownerId: row.owner_id ?? undefined, currency: row.currency }),
  { id: row.id, noOverdraft: row.no_overdraft, balances: balancesOf(row) },
];

/**
 * Locks every wallet of `ownerIds`, whatever its currency (a checkout's is known only once
 * its products are read), with the statement sent ahead: it goes out with whatever the
 * caller sends next, such as that read, instead of in a round trip of its own. Returns
 * what to pass postLedgerBatch as `locked`. Locked in id order, in one statement, as every
 * posting locks; the locks are held to the end of the caller's transaction.
 */
export async function lockWalletsAhead(
  trx: Transaction<object>,
  ownerIds: readonly string[],
): Promise<() => Promise<LockedAccounts>> {
  const repo = LedgerRepository.of(trx);
  const { answer } = await sendForLater<LedgerAccountRow & { has_shards: boolean }>(
    trx,
    repo.lockWalletsQuery(ownerIds),
  );
  // Read once: folding the shards again would find them emptied and read the rows short.
  let read: Promise<LockedAccounts> | undefined;
  return () =>
    (read ??= answer.then(async ({ rows }) => new Map((await repo.lockedWallets(rows)).map(accountOf))));
}

/**
 * Posts many transactions in a few statements, in the caller's transaction: the accounts
 * locked up front (LedgerRepository.lockAccounts: id order, complete balances), every item
 * decided in input order (planBatch), then the transactions and entries inserted from
 * arrays and each account's counters updated once. See LedgerService.postBatch for what it
 * guarantees.
 *
 * References are taken optimistically, as a bulk load's are nearly all new: the batch is
 * first planned and written as if none were taken, inside a savepoint, and the unique
 * index on (kind, reference) that the insert maintains anyway finds any that is. Then the
 * savepoint is rolled back, the taken references are read (one statement, one index probe
 * each) and the batch planned and written again, each taken one skipped. So a batch of new
 * references reads no reference, where it used to probe every one of them first.
 *
 * A caller whose references are new by construction (a payment's fresh id) says so with
 * `newReferences`: then no savepoint is taken and the writes are sent without waiting for
 * their answers (platform/db/send-ahead.ts), as every item's fate is decided on the locked
 * balances before they are written. Were a reference taken after all, the caller's
 * transaction fails at its next statement or its COMMIT, and nothing of it is written.
 *
 * As a single posting does (ledger.shards.ts), an account whose every entry in the batch
 * can only raise what the no-overdraft rule protects (credits, and any entry on the
 * platform's own accounts) is not locked: its net change goes to one shard row, the same
 * shard for the whole batch (`shard`, where it starts looking for a free one). So batches that only pay wallets from a clearing
 * account, as a bulk import does, run side by side instead of queueing on that account.
 */
export async function postLedgerBatch(
  trx: Transaction<object>,
  inputs: readonly PostInput[],
  shard: () => ShardChoice,
  known: AccountIdCache,
  { newReferences = false, locked }: BatchOptions = {},
): Promise<BatchResult> {
  const rejected = screenBatch(inputs);
  const { refs, unlocked, keys } = accountsOf(inputs, rejected);
  // Nothing valid: no account to lock, nothing to write.
  if (refs.size === 0)
    return summarise(planBatch({ inputs, rejected, taken: new Map(), accounts: new Map(), newId }).results);
  const accounts = await lockAccounts(trx, refs, unlocked, known, locked && (await locked()));
  const repo = new LedgerBatchRepository(trx);
  const hopeful = planBatch({ inputs, rejected, taken: new Map(), accounts, newId, keys });
  if (newReferences) {
    // Every item is decided already, on the locked balances: the writes need no answer.
    await writePlan(repo, hopeful, accounts, shard, (rows) => sendAhead(trx, repo.insertPostedQuery(rows)));
    return summarise(hopeful.results);
  }
  if (await writtenUnlessTaken(trx, () => writePlan(repo, hopeful, accounts, shard)))
    return summarise(hopeful.results);
  const valid = inputs.filter((_, index) => !rejected.has(index));
  // Read after the locks and after the failed insert, which waited for any concurrent
  // posting of the same reference to end: what it committed is seen as taken here.
  const taken = new Map((await repo.takenReferences(valid)).map((row) => [referenceKey(row), row.id]));
  const plan = planBatch({ inputs, rejected, taken, accounts, newId, keys });
  await guard(() => writePlan(repo, plan, accounts, shard));
  return summarise(plan.results);
}

/**
 * Runs `write` in a savepoint and says whether it was written; false, with nothing of it
 * left, when a reference it posts is taken. Any other failure is answered as `guard` does.
 * The savepoint's own statements are sent ahead (platform/db/send-ahead.ts): none is
 * waited for, as none can fail but in a transaction already failed, which the statement
 * after it reports; so the savepoint costs no round trip of its own.
 */
async function writtenUnlessTaken(trx: Transaction<object>, write: () => Promise<void>): Promise<boolean> {
  const ahead = (statement: RawBuilder<unknown>) => sendAhead(trx, statement.compile(trx));
  await ahead(sql`SAVEPOINT ledger_batch`);
  try {
    await write();
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code !== '23505' || constraint !== 'ledger_transactions_reference_key') throw inLedgerTerms(error);
    await ahead(sql`ROLLBACK TO SAVEPOINT ledger_batch`);
    await ahead(sql`RELEASE SAVEPOINT ledger_batch`);
    return false;
  }
  await ahead(sql`RELEASE SAVEPOINT ledger_batch`);
  return true;
}

async function writePlan(
  repo: LedgerBatchRepository,
  plan: BatchPlan,
  accounts: ReadonlyMap<string, BatchAccount>,
  shard: () => ShardChoice,
  insert: (rows: PostedRows) => Promise<void> = (rows) => repo.insertPosted(rows),
): Promise<void> {
  const unlockedIds = new Set([...accounts.values()].filter((a) => a.unlocked).map((a) => a.id));
  const rows = new Map<string, Balances>();
  const shards = new Map<string, Balances>();
  for (const [id, change] of plan.changes) (unlockedIds.has(id) ? shards : rows).set(id, change);
  const parts = statementParts(plan, ENTRIES_PER_STATEMENT);
  for (const [i, part] of parts.entries()) {
    // The balances go with the last statement: one update per account per batch.
    await insert(
      i === parts.length - 1
        ? {
            ...part,
            changes: rows,
            ...(shards.size > 0 ? { shard: { choice: shard(), changes: shards } } : {}),
          }
        : part,
    );
  }
}

/**
 * Creates and locks every account the refs name, whoever creates them concurrently, except
 * those in `unlocked`, which are only found (or created). In a bulk load nearly every
 * account exists already: then the ones to lock are all locked by id, in one statement in
 * id order, which costs far less than lockAccounts' insert of every account that finds it
 * taken. Otherwise lockAccounts creates the new ones and locks the others. Accounts earlier
 * batches found committed are `known` and not read again; those to lock still are, by id.
 */
async function lockAccounts(
  trx: Transaction<object>,
  refs: ReadonlyMap<string, AccountRef>,
  unlocked: ReadonlySet<string>,
  known: AccountIdCache,
  locked: LockedAccounts = new Map(),
): Promise<Map<string, BatchAccount>> {
  const repo = LedgerRepository.of(trx);
  const found = new Map<string, BatchAccount>();
  const keep = (rows: readonly LedgerAccountRow[]) => {
    for (const row of rows) {
      const [key, account] = accountOf(row);
      found.set(key, unlocked.has(key) ? { ...account, unlocked: true } : account);
    }
  };
  // Those locked ahead are taken as they were read: nothing else can have changed them.
  for (const key of refs.keys()) {
    const account = locked.get(key);
    if (account && !unlocked.has(key)) found.set(key, account);
  }
  if (found.size === refs.size) return found;
  const keys = [...refs.keys()].filter((key) => !found.has(key));
  const existing =
    known.all(keys) ??
    (await readExisting(
      trx,
      keys,
      keys.map((key) => refs.get(key)!),
      known,
    ));
  if (existing.length === keys.length) {
    const toLock: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const { id, noOverdraft } = existing[i]!;
      // Only the id is read of an unlocked account: the plan never checks its balance.
      if (unlocked.has(key)) found.set(key, { id, noOverdraft, balances: ZERO_BALANCES, unlocked: true });
      else toLock.push(id);
    }
    keep(await repo.lockAccountsById(toLock));
  }
  // An account another posting created after the read above is missing from it: ask again.
  for (let attempt = 0; attempt < LOCK_ATTEMPTS && found.size < refs.size; attempt++) {
    const missing: WantedAccount[] = [];
    for (const [key, ref] of refs)
      if (!found.has(key))
        missing.push({
          kind: ref.kind,
          ownerId: ref.ownerId?.toLowerCase() ?? null,
          currency: ref.currency,
          noOverdraft: refusesOverdraft(ref.kind),
          lock: !unlocked.has(key),
        });
    keep(await repo.lockAccounts(missing));
  }
  if (found.size < refs.size) throw unavailable('ledger_busy', 'ledger accounts are being created; retry');
  return found;
}

/**
 * The accounts under `keys`, in their order, when all exist (else none: the caller creates
 * the missing ones), remembering those found committed before this transaction began.
 */
async function readExisting(
  trx: Transaction<object>,
  keys: readonly string[],
  accounts: readonly AccountRef[],
  known: AccountIdCache,
): Promise<KnownAccount[]> {
  const rows = await new LedgerBatchRepository(trx).existingAccounts(
    accounts.map((ref) => ({
      kind: ref.kind,
      ownerId: ref.ownerId?.toLowerCase() ?? null,
      currency: ref.currency,
    })),
  );
  const existing: KnownAccount[] = [];
  for (const row of rows) {
    const account = { id: row.id, noOverdraft: row.no_overdraft };
    existing[row.n - 1] = account;
    if (row.committed) known.remember(keys[row.n - 1]!, account);
  }
  return rows.length === keys.length ? existing : [];
}

/** The database's own checks, answered in the ledger's terms. */
async function guard(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw inLedgerTerms(error);
  }
}

function inLedgerTerms(error: unknown): unknown {
  const { code, constraint } = error as { code?: string; constraint?: string };
  // The database's overdraft check fired: the plan's check was bypassed or is wrong.
  if (code === '23514' && [undefined, 'ledger_accounts_no_overdraft'].includes(constraint))
    return insufficientFunds();
  if (code === '23505')
    return conflict('ledger_reference_taken', 'a reference was posted concurrently; retry');
  return error;
}
