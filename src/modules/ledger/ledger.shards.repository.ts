import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Balances } from './ledger.rules.js';
import { int8Array, uuidArray } from '../../platform/db/array-parameter.js';
import type { LedgerAccountRow, LedgerTables } from './ledger.tables.js';

type Executor = Kysely<LedgerTables> | Transaction<LedgerTables>;

/**
 * ledger_accounts with each account's COMPLETE counters: its row plus the sum of its shard
 * rows (see 0025_ledger_account_shards.sql). Every read of a balance goes through this; one
 * index probe of the shards per account read.
 */
export const completeAccounts = sql`(
  SELECT a.id, a.kind, a.owner_id, a.currency, a.no_overdraft, a.created_at,
    a.posted_debits + coalesce(s.posted_debits, 0) AS posted_debits,
    a.posted_credits + coalesce(s.posted_credits, 0) AS posted_credits,
    a.pending_debits + coalesce(s.pending_debits, 0) AS pending_debits,
    a.pending_credits + coalesce(s.pending_credits, 0) AS pending_credits
  FROM ledger_accounts a
  LEFT JOIN LATERAL (
    SELECT sum(posted_debits)::bigint AS posted_debits, sum(posted_credits)::bigint AS posted_credits,
      sum(pending_debits)::bigint AS pending_debits, sum(pending_credits)::bigint AS pending_credits
    FROM ledger_account_shards WHERE account_id = a.id
  ) s ON true
)`;

/** Which shard a posting writes to: where it starts looking, out of how many. */
export interface ShardChoice {
  /** The shard tried first (shardOf: from the transaction id, so postings spread). */
  preferred: number;
  count: number;
}

/**
 * The shard a posting takes, as a scalar subquery run once per statement: the first shard
 * from `preferred` on whose slot this transaction gets a transaction-level advisory lock
 * without waiting, else `preferred`. Only postings in flight hold slots, so as long as
 * LEDGER_SHARDS is at least the number of postings in flight (the pool's connections), no
 * two of them write the same shard row and none waits on another's uncommitted credit.
 * A random shard alone collided often: 10 postings over 8 shards share one most of the
 * time, and the later one then waits for the earlier one's whole transaction. The try-lock
 * never waits, so it adds no lock order; when every slot is taken, the posting writes its
 * preferred shard and may wait there, as before. The lock's first key names the schema, so
 * deployments sharing a database do not take each other's slots.
 */
function claimedShard({ preferred, count }: ShardChoice) {
  return sql`(SELECT coalesce((
      SELECT ((${preferred}::int + g) % ${count}::int)::smallint FROM generate_series(0, ${count}::int - 1) AS g
      WHERE pg_try_advisory_xact_lock(hashtext('ledger_account_shards:' || current_schema()), (${preferred}::int + g) % ${count}::int)
      LIMIT 1
    ), ${preferred}::smallint))`;
}

/**
 * One INSERT … ON CONFLICT adding `changes` to one shard of each account (as a CTE of the
 * caller's statement, run only when `guard` holds), the shard claimed as `claimedShard`
 * says, the same for every account of the posting. Rows are taken in account id order, so
 * two transactions on the same shard cannot deadlock on them; a shard row is created on
 * its first use. No account row is locked: accounts are permanent (0035), so entries only
 * check that theirs exist, and a new shard row's foreign key takes KEY SHARE, which the
 * ledger's own row locks (FOR NO KEY UPDATE) do not conflict with.
 */
export function addToShards(
  changes: ReadonlyMap<string, Balances>,
  shard: ShardChoice,
  guard: RawBuilder<unknown>,
) {
  const ids = [...changes.keys()].sort();
  const rows = ids.map((id) => changes.get(id)!);
  // A counter no account changes is not sent (a batch of postings has no pending side):
  // a quarter of the statement's bytes each, for a batch of a thousand accounts.
  const moved = SHARD_COUNTERS.filter(({ field }) => rows.some((row) => row[field] !== 0n));
  return sql`
    INSERT INTO ledger_account_shards AS s
      (account_id, shard, posted_debits, posted_credits, pending_debits, pending_credits)
    SELECT d.id, ${claimedShard(shard)}, ${sql.join(
      SHARD_COUNTERS.map(({ column }) =>
        moved.some((counter) => counter.column === column) ? sql`d.${sql.ref(column)}` : sql`0::bigint`,
      ),
    )}
    FROM unnest(
      ${uuidArray(ids)}::uuid[]${sql.join(
        moved.map(({ field }) => sql`, ${int8Array(rows.map((row) => row[field]))}::bigint[]`),
        sql``,
      )}
    ) WITH ORDINALITY AS d(${sql.join(['id', ...moved.map(({ column }) => column), 'n'].map((name) => sql.ref(name)))})
    WHERE ${guard}
    ORDER BY d.n
    ON CONFLICT (account_id, shard) DO UPDATE SET ${sql.join(
      (moved.length > 0 ? moved : SHARD_COUNTERS.slice(0, 1)).map(
        ({ column }) =>
          sql`${sql.ref(column)} = ${sql.ref(`s.${column}`)} + ${sql.ref(`excluded.${column}`)}`,
      ),
    )}`;
}

const SHARD_COUNTERS = [
  { field: 'postedDebits', column: 'posted_debits' },
  { field: 'postedCredits', column: 'posted_credits' },
  { field: 'pendingDebits', column: 'pending_debits' },
  { field: 'pendingCredits', column: 'pending_credits' },
] as const satisfies readonly { field: keyof Balances; column: string }[];

/**
 * The merge rule: folds the shards of accounts whose rows the caller has just locked into
 * those rows, in one statement. The non-zero shard rows are locked (waiting for postings
 * in flight on them to end) and read at their latest committed values, added to the
 * account rows and zeroed, so the rows then hold every committed amount. Shard rows that
 * appear after this statement began stay where they are: they only hold credits to
 * wallets, so a balance that misses them errs on the safe side. Returns the folded rows,
 * with their new counters; accounts with nothing in their shards are not returned.
 */
export async function foldShards(db: Executor, accountIds: readonly string[]): Promise<LedgerAccountRow[]> {
  if (accountIds.length === 0) return [];
  const { rows } = await sql<LedgerAccountRow>`
    WITH held AS (
      SELECT account_id, shard, posted_debits, posted_credits, pending_debits, pending_credits
      FROM ledger_account_shards
      WHERE account_id = ANY(${[...accountIds]}::uuid[])
        AND (posted_debits, posted_credits, pending_debits, pending_credits) <> (0, 0, 0, 0)
      ORDER BY account_id, shard
      FOR NO KEY UPDATE
    ), emptied AS (
      UPDATE ledger_account_shards s
      SET posted_debits = 0, posted_credits = 0, pending_debits = 0, pending_credits = 0
      FROM held h WHERE s.account_id = h.account_id AND s.shard = h.shard
    ), sums AS (
      SELECT account_id, sum(posted_debits)::bigint AS posted_debits, sum(posted_credits)::bigint AS posted_credits,
        sum(pending_debits)::bigint AS pending_debits, sum(pending_credits)::bigint AS pending_credits
      FROM held GROUP BY account_id
    )
    UPDATE ledger_accounts a SET
      posted_debits = a.posted_debits + s.posted_debits,
      posted_credits = a.posted_credits + s.posted_credits,
      pending_debits = a.pending_debits + s.pending_debits,
      pending_credits = a.pending_credits + s.pending_credits
    FROM sums s WHERE a.id = s.account_id
    RETURNING a.*`.execute(db);
  return rows;
}

/** Replaces the rows `foldShards` changed by their folded versions, keeping the order. */
export function withFolded(
  rows: LedgerAccountRow[],
  folded: readonly LedgerAccountRow[],
): LedgerAccountRow[] {
  if (folded.length === 0) return rows;
  const byId = new Map(folded.map((row) => [row.id, row]));
  return rows.map((row) => byId.get(row.id) ?? row);
}
