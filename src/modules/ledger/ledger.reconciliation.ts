import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import { inReadSnapshot } from '../../platform/db/snapshot.js';
import { balancesOf } from './ledger.repository.js';
import { completeAccounts } from './ledger.shards.repository.js';
import { accountDrift, type Balances, type Direction } from './ledger.rules.js';
import type { LedgerAccountRow, LedgerTables } from './ledger.tables.js';

/**
 * Reconciliation: the ledger checked against itself. Every check is an aggregate over the
 * whole journal, answered by the database, so only the offending rows come back however
 * large the ledger grows.
 */

export interface Reconciliation {
  ok: boolean;
  /** One line per broken transaction, account or hold, naming all its problems; at most the limit asked. */
  violations: string[];
  /** Every violation found, listed or not. */
  violationCount: number;
  counts: { accounts: number; transactions: number; entries: number };
}

/** Violations listed when the caller names no limit: a ledger this broken needs a human, not a longer list. */
export const DEFAULT_MAX_VIOLATIONS = 100;
/** The most violations a caller may have listed: the list travels in one response. */
export const MAX_VIOLATIONS_LIMIT = 10_000;

/** The first `limit` offending rows, and how many there are in all. */
interface Found<T> {
  rows: T[];
  total: number;
}

// Each query counts every offending row with a window (evaluated before LIMIT) and returns
// at least one row, so the total is known even when nothing more may be listed.
const found = <T extends { total: number }>(rows: T[], limit: number): Found<T> => ({
  rows: rows.slice(0, limit),
  total: rows[0]?.total ?? 0,
});
const atLeastOne = (limit: number) => Math.max(limit, 1);

interface TransactionSums {
  id: string;
  kind: string;
  reference: string;
  currency: string;
  entries: number;
  foreign_entries: number;
  debits: bigint;
  credits: bigint;
  total: number;
}

type AccountSums = LedgerAccountRow & {
  sum_posted_debits: bigint;
  sum_posted_credits: bigint;
  sum_pending_debits: bigint;
  sum_pending_credits: bigint;
  total: number;
};

/** The reconciliation's SQL: read-only, and nothing else. */
class ReconciliationQueries {
  constructor(private readonly db: Kysely<LedgerTables>) {}

  /** Transactions with fewer than two entries, unequal sides or entries in another currency. */
  async unbalancedTransactions(limit: number): Promise<Found<TransactionSums>> {
    const { rows } = await sql<TransactionSums>`
      SELECT t.id, t.kind, t.reference, t.currency,
        count(e.id)::int AS entries,
        count(e.id) FILTER (WHERE a.currency <> t.currency)::int AS foreign_entries,
        coalesce(sum(e.amount) FILTER (WHERE e.direction = 'debit'), 0)::bigint AS debits,
        coalesce(sum(e.amount) FILTER (WHERE e.direction = 'credit'), 0)::bigint AS credits,
        count(*) OVER ()::int AS total
      FROM ledger_transactions t
      LEFT JOIN ledger_entries e ON e.transaction_id = t.id
      LEFT JOIN ledger_accounts a ON a.id = e.account_id
      GROUP BY t.id
      HAVING count(e.id) < 2
        OR count(e.id) FILTER (WHERE a.currency <> t.currency) > 0
        OR coalesce(sum(e.amount) FILTER (WHERE e.direction = 'debit'), 0)
           <> coalesce(sum(e.amount) FILTER (WHERE e.direction = 'credit'), 0)
      ORDER BY t.created_at, t.id
      LIMIT ${atLeastOne(limit)}`.execute(this.db);
    return found(rows, limit);
  }

  /**
   * Accounts whose counters differ from the sums of their entries, or that are overdrawn
   * by either measure. Posted sums count 'posted' transactions; pending sums count holds
   * not yet resolved. The sums are one aggregate over all entries (hash joined to their
   * transactions): per account, one index probe of a transaction per entry cost seconds.
   * An account's counters are its row plus its shard rows (completeAccounts).
   */
  async accountsOutOfStep(limit: number): Promise<Found<AccountSums>> {
    const sum = (status: string, direction: Direction) =>
      sql.raw(`sum(e.amount) FILTER (WHERE ${status} AND e.direction = '${direction}')`);
    const posted = "t.status = 'posted'";
    const pending = "t.status = 'pending' AND t.resolved_at IS NULL";
    const { rows } = await sql<AccountSums>`
      WITH sums AS (
        SELECT e.account_id,
          ${sum(posted, 'debit')} AS posted_debits, ${sum(posted, 'credit')} AS posted_credits,
          ${sum(pending, 'debit')} AS pending_debits, ${sum(pending, 'credit')} AS pending_credits
        FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
        GROUP BY e.account_id
      ), accounts AS (
        SELECT a.*,
          coalesce(s.posted_debits, 0)::bigint AS sum_posted_debits,
          coalesce(s.posted_credits, 0)::bigint AS sum_posted_credits,
          coalesce(s.pending_debits, 0)::bigint AS sum_pending_debits,
          coalesce(s.pending_credits, 0)::bigint AS sum_pending_credits
        FROM ${completeAccounts} a LEFT JOIN sums s ON s.account_id = a.id
      )
      SELECT a.*, count(*) OVER ()::int AS total
      FROM accounts a
      WHERE (a.posted_debits, a.posted_credits, a.pending_debits, a.pending_credits)
          IS DISTINCT FROM (a.sum_posted_debits, a.sum_posted_credits, a.sum_pending_debits, a.sum_pending_credits)
        OR (a.no_overdraft AND (a.posted_debits + a.pending_debits > a.posted_credits
          OR a.sum_posted_debits + a.sum_pending_debits > a.sum_posted_credits))
      ORDER BY a.created_at, a.id
      LIMIT ${atLeastOne(limit)}`.execute(this.db);
    return found(rows, limit);
  }

  /** Settlements whose hold is not a resolved, unvoided hold, and resolved holds with no settlement. */
  async brokenHolds(limit: number): Promise<Found<{ id: string; problem: string; total: number }>> {
    const { rows } = await sql<{ id: string; problem: string; total: number }>`
      SELECT b.*, count(*) OVER ()::int AS total FROM (
        SELECT s.id, 'settles ' || s.pending_id || ', which is not a resolved hold' AS problem
        FROM ledger_transactions s JOIN ledger_transactions h ON h.id = s.pending_id
        WHERE h.status <> 'pending' OR h.resolved_at IS NULL
        UNION ALL
        SELECT h.id, 'is a hold marked settled, but no transaction settles it'
        FROM ledger_transactions h
        WHERE h.status = 'pending' AND h.resolved_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ledger_transactions s WHERE s.pending_id = h.id)
      ) b
      LIMIT ${atLeastOne(limit)}`.execute(this.db);
    return found(rows, limit);
  }

  async counts() {
    const { rows } = await sql<{ accounts: bigint; transactions: bigint; entries: bigint }>`
      SELECT (SELECT count(*) FROM ledger_accounts) AS accounts,
        (SELECT count(*) FROM ledger_transactions) AS transactions,
        (SELECT count(*) FROM ledger_entries) AS entries`.execute(this.db);
    const { accounts, transactions, entries } = rows[0]!;
    return { accounts: Number(accounts), transactions: Number(transactions), entries: Number(entries) };
  }
}

function transactionProblems(t: TransactionSums): string {
  const problems: string[] = [];
  if (t.entries === 0) problems.push('has no entries');
  else if (t.entries < 2) problems.push('has only one entry');
  if (t.debits !== t.credits) problems.push(`is unbalanced: debits ${t.debits}, credits ${t.credits}`);
  if (t.foreign_entries > 0) problems.push(`has ${t.foreign_entries} entries not in ${t.currency}`);
  return `transaction ${t.id} (${t.kind} ${t.reference}) ${problems.join('; ')}`;
}

function accountProblems(a: AccountSums): string {
  const sums: Balances = {
    postedDebits: a.sum_posted_debits,
    postedCredits: a.sum_posted_credits,
    pendingDebits: a.sum_pending_debits,
    pendingCredits: a.sum_pending_credits,
  };
  const label = `account ${a.id} (${a.kind}${a.owner_id ? ` of ${a.owner_id}` : ''} ${a.currency})`;
  return accountDrift(label, balancesOf(a), sums, a.no_overdraft).join('; ');
}

/**
 * The ledger's checks inside the caller's snapshot (see inReadSnapshot), so that other
 * modules' checks in the same transaction see the very same ledger. One violation per
 * broken transaction, account or hold; the first `maxViolations` are listed, all counted.
 */
export async function reconcileLedgerWithin(
  snapshot: Transaction<object>,
  maxViolations: number,
): Promise<Reconciliation> {
  const repo = new ReconciliationQueries(tablesOf<LedgerTables>(snapshot));
  const violations: string[] = [];
  let violationCount = 0;
  const left = () => maxViolations - violations.length;
  const transactions = await repo.unbalancedTransactions(left());
  violations.push(...transactions.rows.map(transactionProblems));
  violationCount += transactions.total;
  const accounts = await repo.accountsOutOfStep(left());
  violations.push(...accounts.rows.map(accountProblems));
  violationCount += accounts.total;
  const holds = await repo.brokenHolds(left());
  violations.push(...holds.rows.map((h) => `transaction ${h.id} ${h.problem}`));
  violationCount += holds.total;
  const counts = await repo.counts();
  return { ok: violationCount === 0, violations, violationCount, counts };
}

/**
 * Reconciles the ledger on a snapshot of its own: every transaction balances with at least
 * two entries in its currency, every counter equals the sum of its entries, no wallet is
 * overdrawn, every settlement matches a resolved hold. Never throws on a violation.
 */
export function reconcileLedger(
  db: Kysely<object>,
  maxViolations = DEFAULT_MAX_VIOLATIONS,
): Promise<Reconciliation> {
  return inReadSnapshot(db, (snapshot) => reconcileLedgerWithin(snapshot, maxViolations));
}
