import { type CompiledQuery, type Kysely, sql } from 'kysely';
import type { Balances } from './ledger.rules.js';
import type { PlannedEntry, PlannedTransaction } from './ledger.batch.plan.js';
import { accountNamedByW } from './ledger.account-lookup.js';
import { addToShards, type ShardChoice } from './ledger.shards.repository.js';
import { int4Array, int8Array, textArray, uuidArray } from '../../platform/db/array-parameter.js';

/** What insertPosted writes: transactions with their entries, and the counters they change. */
export interface PostedRows {
  transactions: readonly PlannedTransaction[];
  entries: readonly PlannedEntry[];
  changes?: ReadonlyMap<string, Balances>;
  shard?: { choice: ShardChoice; changes: ReadonlyMap<string, Balances> };
}

/**
 * SQL for posting batches: set-based, so a batch costs a few statements whatever its size.
 * Every array is one parameter, so a statement's text (and its plan) does not depend on
 * how many rows it carries.
 */
export class LedgerBatchRepository {
  constructor(private readonly db: Kysely<object>) {}

  /**
   * Those of these accounts that exist, read without locking them: each found account's id,
   * with `n`, the 1-based position in `accounts` of the account it is, and whether it was
   * committed before this transaction began. A row this transaction made is stamped with
   * its start (`now()`), so an older stamp on a row it can see means another transaction's
   * commit. Kinds, owners and currencies must be valid (assertValidPosting).
   */
  async existingAccounts(
    accounts: readonly { kind: string; ownerId: string | null; currency: string }[],
  ): Promise<{ id: string; no_overdraft: boolean; n: number; committed: boolean }[]> {
    const { rows } = await sql<{ id: string; no_overdraft: boolean; n: number; committed: boolean }>`
      SELECT a.id, a.no_overdraft, w.n::int AS n, a.created_at < now() AS committed
      FROM unnest(
        ${textArray(accounts.map((w) => w.kind))}::text[], ${uuidArray(accounts.map((w) => w.ownerId))}::uuid[],
        ${textArray(accounts.map((w) => w.currency))}::text[]
      ) WITH ORDINALITY AS w(kind, owner_id, currency, n)
      CROSS JOIN LATERAL (${accountNamedByW}) a`.execute(this.db);
    return rows;
  }

  /** The existing transaction of each (kind, reference) pair that is taken, in one statement. */
  async takenReferences(
    keys: readonly { kind: string; reference: string }[],
  ): Promise<{ kind: string; reference: string; id: string }[]> {
    if (keys.length === 0) return [];
    // One index probe per key. The LIMIT keeps it so: without it the planner flattens the
    // LATERAL into a plain join, and for a batch's 1,000 keys it hashes the whole table
    // (48 ms at 120,000 transactions, growing with every posting, against 2 ms of probes).
    const { rows } = await sql<{ kind: string; reference: string; id: string }>`
      SELECT t.kind, t.reference, t.id
      FROM unnest(${textArray(keys.map((k) => k.kind))}::text[], ${textArray(keys.map((k) => k.reference))}::text[]) AS k(kind, reference)
      CROSS JOIN LATERAL (
        SELECT id, kind, reference FROM ledger_transactions
        WHERE kind = k.kind AND reference = k.reference LIMIT 1
      ) t`.execute(this.db);
    return rows;
  }

  /**
   * Writes posted transactions and their entries (each transaction's entries must come
   * with it, in the same call) and, when `changes` is given, adds them to the accounts'
   * counters: one statement, one row update per account; `shard` adds its changes to
   * that shard of each of its accounts instead (rows not locked). A taken reference fails
   * the statement (23505); the CHECK constraints see each account's final counters.
   */
  async insertPosted(input: PostedRows): Promise<void> {
    await this.db.executeQuery(this.insertPostedQuery(input));
  }

  /** insertPosted's statement, to send without waiting for its answer (sendAhead). */
  insertPostedQuery(input: PostedRows): CompiledQuery {
    const { transactions: t, entries: e, changes, shard } = input;
    // The transaction ids travel once: each entry names its transaction by position
    // (entries come grouped with their transaction, in its order).
    const positions: number[] = [];
    for (let k = 0, i = 0; i < e.length; i++) {
      while (t[k]!.id !== e[i]!.transactionId) k++;
      positions.push(k + 1);
    }
    return sql`
      WITH batch AS (SELECT ${uuidArray(t.map((x) => x.id))}::uuid[] AS ids),
      tx AS (
        INSERT INTO ledger_transactions (id, kind, reference, currency, status)
        SELECT id, kind, reference, currency, 'posted'
        FROM unnest(
          (SELECT ids FROM batch), ${textArray(t.map((x) => x.kind))}::text[],
          ${textArray(t.map((x) => x.reference))}::text[], ${textArray(t.map((x) => x.currency))}::text[]
        ) AS t(id, kind, reference, currency)
      ), entries AS (
        INSERT INTO ledger_entries (transaction_id, account_id, direction, amount)
        SELECT (SELECT ids FROM batch)[e.position], account_id, direction, amount
        FROM unnest(
          ${int4Array(positions)}::int[], ${uuidArray(e.map((x) => x.accountId))}::uuid[],
          ${textArray(e.map((x) => x.direction))}::text[], ${int8Array(e.map((x) => x.amountMinor))}::bigint[]
        ) WITH ORDINALITY AS e(position, account_id, direction, amount, n)
        -- Entry ids follow the input, as if posted one by one.
        ORDER BY n
      )${changes && changes.size > 0 ? sql`, balances AS (${applyChanges(changes)})` : sql``}${
        shard && shard.changes.size > 0
          ? sql`, shards AS (${addToShards(shard.changes, shard.choice, sql`true`)})`
          : sql``
      }
      SELECT 1`.compile(this.db);
  }
}

/**
 * One UPDATE for every account's posted counters, finding the rows by primary key. With the
 * join alone, or with `a.id = ANY(<the ids>)`, the planner hashed the whole accounts table
 * (one full scan per batch, as long as its cost model prices a thousand index probes above
 * a scan: up to some 200,000 accounts). An array built by a subquery has no size the
 * planner can see, so it probes the index.
 */
function applyChanges(changes: ReadonlyMap<string, Balances>) {
  const ids = uuidArray([...changes.keys()]);
  const field = (name: keyof Balances) => int8Array([...changes.values()].map((change) => change[name]));
  return sql`
    UPDATE ledger_accounts a SET
      posted_debits = a.posted_debits + d.posted_debits,
      posted_credits = a.posted_credits + d.posted_credits
    FROM unnest(${ids}::uuid[], ${field('postedDebits')}::bigint[], ${field('postedCredits')}::bigint[])
      AS d(id, posted_debits, posted_credits)
    WHERE a.id = d.id AND a.id = ANY(ARRAY(SELECT unnest(${ids}::uuid[])))`;
}
