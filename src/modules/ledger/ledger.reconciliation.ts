import { type Kysely, sql } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import { balancesOf } from './ledger.repository.js';
import { accountDrift, type Balances, type Direction } from './ledger.rules.js';
import type { LedgerAccountRow, LedgerTables } from './ledger.tables.js';

/**
 * Reconciliation: the ledger checked against itself. Every check is an aggregate over the
 * whole journal, answered by the database, so only the offending rows come back however
 * large the ledger grows.
 */

export interface Reconciliation {
  ok: boolean;
  violations: string[];
  counts: { accounts: number; transactions: number; entries: number };
}

/** Violations listed per kind of check; a ledger this broken needs a human, not a longer list. */
export const MAX_VIOLATIONS_PER_CHECK = 100;

interface TransactionSums {
  id: string;
  kind: string;
  reference: string;
  currency: string;
  entries: number;
  foreign_entries: number;
  debits: bigint;
  credits: bigint;
}

type AccountSums = LedgerAccountRow & {
  sum_posted_debits: bigint;
  sum_posted_credits: bigint;
  sum_pending_debits: bigint;
  sum_pending_credits: bigint;
};

/** The reconciliation's SQL: read-only, and nothing else. */
class ReconciliationQueries {
  constructor(private readonly db: Kysely<LedgerTables>) {}

  /** Transactions with fewer than two entries, unequal sides or entries in another currency. */
  async unbalancedTransactions(limit: number): Promise<TransactionSums[]> {
    const { rows } = await sql<TransactionSums>`
      SELECT t.id, t.kind, t.reference, t.currency,
        count(e.id)::int AS entries,
        count(e.id) FILTER (WHERE a.currency <> t.currency)::int AS foreign_entries,
        coalesce(sum(e.amount) FILTER (WHERE e.direction = 'debit'), 0)::bigint AS debits,
        coalesce(sum(e.amount) FILTER (WHERE e.direction = 'credit'), 0)::bigint AS credits
      FROM ledger_transactions t
      LEFT JOIN ledger_entries e ON e.transaction_id = t.id
      LEFT JOIN ledger_accounts a ON a.id = e.account_id
      GROUP BY t.id
      HAVING count(e.id) < 2
        OR count(e.id) FILTER (WHERE a.currency <> t.currency) > 0
        OR coalesce(sum(e.amount) FILTER (WHERE e.direction = 'debit'), 0)
           <> coalesce(sum(e.amount) FILTER (WHERE e.direction = 'credit'), 0)
      ORDER BY t.created_at, t.id
      LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /**
   * Accounts whose counters differ from the sums of their entries, or that are overdrawn
   * by either measure. Posted sums count 'posted' transactions; pending sums count holds
   * not yet resolved.
   */
  async accountsOutOfStep(limit: number): Promise<AccountSums[]> {
    const sum = (status: string, direction: Direction) =>
      sql.raw(`coalesce(sum(e.amount) FILTER (WHERE ${status} AND e.direction = '${direction}'), 0)::bigint`);
    const posted = "t.status = 'posted'";
    const pending = "t.status = 'pending' AND t.resolved_at IS NULL";
    const { rows } = await sql<AccountSums>`
      SELECT a.*, s.sum_posted_debits, s.sum_posted_credits, s.sum_pending_debits, s.sum_pending_credits
      FROM ledger_accounts a
      CROSS JOIN LATERAL (
        SELECT ${sum(posted, 'debit')} AS sum_posted_debits, ${sum(posted, 'credit')} AS sum_posted_credits,
          ${sum(pending, 'debit')} AS sum_pending_debits, ${sum(pending, 'credit')} AS sum_pending_credits
        FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
        WHERE e.account_id = a.id
      ) s
      WHERE (a.posted_debits, a.posted_credits, a.pending_debits, a.pending_credits)
          IS DISTINCT FROM (s.sum_posted_debits, s.sum_posted_credits, s.sum_pending_debits, s.sum_pending_credits)
        OR (a.no_overdraft AND (a.posted_debits + a.pending_debits > a.posted_credits
          OR s.sum_posted_debits + s.sum_pending_debits > s.sum_posted_credits))
      ORDER BY a.created_at, a.id
      LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /** Settlements whose hold is not a resolved, unvoided hold, and resolved holds with no settlement. */
  async brokenHolds(limit: number) {
    const { rows } = await sql<{ id: string; problem: string }>`
      SELECT s.id, 'settles ' || s.pending_id || ', which is not a resolved hold' AS problem
      FROM ledger_transactions s JOIN ledger_transactions h ON h.id = s.pending_id
      WHERE h.status <> 'pending' OR h.resolved_at IS NULL
      UNION ALL
      SELECT h.id, 'is a hold marked settled, but no transaction settles it'
      FROM ledger_transactions h
      WHERE h.status = 'pending' AND h.resolved_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM ledger_transactions s WHERE s.pending_id = h.id)
      LIMIT ${limit}`.execute(this.db);
    return rows;
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

/**
 * Reconciles the ledger on one consistent snapshot (a read-only repeatable-read
 * transaction, so postings running meanwhile cannot show up half-done): every
 * transaction balances with at least two entries in its currency, every counter equals
 * the sum of its entries, no wallet is overdrawn, every settlement matches a resolved
 * hold. Never throws on a violation; lists at most MAX_VIOLATIONS_PER_CHECK of each kind.
 */
export function reconcileLedger(db: Kysely<object>): Promise<Reconciliation> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const repo = new ReconciliationQueries(tablesOf<LedgerTables>(trx));
      const limit = MAX_VIOLATIONS_PER_CHECK;
      const violations: string[] = [];
      const truncated = (found: number, what: string) => {
        if (found >= limit) violations.push(`… only the first ${limit} ${what} are listed`);
      };
      const transactions = await repo.unbalancedTransactions(limit);
      for (const t of transactions) {
        const label = `transaction ${t.id} (${t.kind} ${t.reference})`;
        if (t.entries === 0) violations.push(`${label} has no entries`);
        else if (t.entries < 2) violations.push(`${label} has only one entry`);
        if (t.debits !== t.credits)
          violations.push(`${label} is unbalanced: debits ${t.debits}, credits ${t.credits}`);
        if (t.foreign_entries > 0)
          violations.push(`${label} has ${t.foreign_entries} entries not in ${t.currency}`);
      }
      truncated(transactions.length, 'broken transactions');
      const accounts = await repo.accountsOutOfStep(limit);
      for (const a of accounts) {
        const sums: Balances = {
          postedDebits: a.sum_posted_debits,
          postedCredits: a.sum_posted_credits,
          pendingDebits: a.sum_pending_debits,
          pendingCredits: a.sum_pending_credits,
        };
        const label = `account ${a.id} (${a.kind}${a.owner_id ? ` of ${a.owner_id}` : ''} ${a.currency})`;
        violations.push(...accountDrift(label, balancesOf(a), sums, a.no_overdraft));
      }
      truncated(accounts.length, 'accounts out of step');
      const holds = await repo.brokenHolds(limit);
      violations.push(...holds.map((h) => `transaction ${h.id} ${h.problem}`));
      truncated(holds.length, 'broken holds');
      const counts = await repo.counts();
      return { ok: violations.length === 0, violations, counts };
    });
}
