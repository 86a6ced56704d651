import { type Kysely, sql } from 'kysely';
import type { Direction, TransactionStatus } from './ledger.rules.js';
import { completeAccounts } from './ledger.shards.repository.js';

export interface WalletEntryRow {
  sequence: string;
  account_currency: string;
  direction: Direction;
  amount: bigint;
  created_at: Date;
  transaction_id: string;
  kind: string;
  reference: string;
  status: TransactionStatus;
  resolved_at: Date | null;
  pending_id: string | null;
  hold_reference: string | null;
  posted_after: bigint;
}

export interface WalletHoldRow {
  id: string;
  owner_id: string;
  currency: string;
  amount: bigint;
  status: TransactionStatus;
  resolved_at: Date | null;
  created_at: Date;
  cursor_key: string;
}

const signed = (entry: string) =>
  sql.raw(`CASE WHEN ${entry}.direction = 'credit' THEN ${entry}.amount ELSE -${entry}.amount END`);

/** The ledger's read-only statements for statements and lists; SQL and nothing else. */
export class LedgerHistoryRepository {
  constructor(private readonly db: Kysely<object>) {}

  /**
   * One page (`limit + 1` rows) of the entries of a user's wallets, newest first by entry
   * id, each with the wallet's posted balance after it. One statement, so one snapshot:
   * the balance is the account's posted counter now, less what posted entries newer than
   * the page moved (summed once per wallet, from the cursor on), less what the newer posted
   * entries within the page moved (a window).
   */
  async walletEntries(
    ownerId: string,
    options: { limit: number; beforeSequence?: bigint; currency?: string },
  ): Promise<WalletEntryRow[]> {
    const before = options.beforeSequence?.toString();
    const { rows } = await sql<WalletEntryRow>`
      WITH wallet AS (
        SELECT id, currency, posted_credits - posted_debits AS posted FROM ${completeAccounts} a
        WHERE kind = 'user_wallet' AND owner_id = ${ownerId}::uuid
          ${options.currency ? sql`AND currency = ${options.currency}` : sql``}
      ), page AS (
        SELECT e.* FROM wallet w CROSS JOIN LATERAL (
          SELECT id, account_id, transaction_id, direction, amount, created_at FROM ledger_entries
          WHERE account_id = w.id ${before ? sql`AND id < ${before}::bigint` : sql``}
          ORDER BY id DESC LIMIT ${options.limit + 1}
        ) e
        ORDER BY e.id DESC LIMIT ${options.limit + 1}
      ), newer AS (
        SELECT e.account_id, sum(${signed('e')})::bigint AS moved
        FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id AND t.status = 'posted'
        WHERE ${before ? sql`e.account_id IN (SELECT id FROM wallet) AND e.id >= ${before}::bigint` : sql`false`}
        GROUP BY e.account_id
      )
      SELECT p.id::text AS sequence, w.currency AS account_currency, p.direction, p.amount, p.created_at,
        t.id AS transaction_id, t.kind, t.reference, t.status, t.resolved_at, t.pending_id,
        h.reference AS hold_reference,
        (w.posted - coalesce(n.moved, 0) - coalesce(sum(CASE WHEN t.status = 'posted' THEN ${signed('p')} ELSE 0 END)
          OVER (PARTITION BY p.account_id ORDER BY p.id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
        )::bigint AS posted_after
      FROM page p
      JOIN wallet w ON w.id = p.account_id
      JOIN ledger_transactions t ON t.id = p.transaction_id
      LEFT JOIN ledger_transactions h ON h.id = t.pending_id
      LEFT JOIN newer n ON n.account_id = p.account_id
      ORDER BY p.id DESC`.execute(this.db);
    return rows;
  }

  /**
   * One page (`limit + 1` rows) of the holds of `kind` that debit a wallet (payouts: one
   * wallet each), newest first (keyset on created_at, id), of one owner or of everyone,
   * optionally in one state.
   */
  async walletHolds(
    kind: string,
    filter: {
      ownerId?: string;
      state?: 'pending' | 'posted' | 'voided';
      limit: number;
      after?: { createdAt: string; id: string };
    },
  ): Promise<WalletHoldRow[]> {
    const state = {
      pending: sql`AND t.status = 'pending' AND t.resolved_at IS NULL`,
      posted: sql`AND t.status = 'pending' AND t.resolved_at IS NOT NULL`,
      voided: sql`AND t.status = 'voided'`,
    };
    const { rows } = await sql<WalletHoldRow>`
      SELECT t.id, a.owner_id, t.currency, e.amount, t.status, t.resolved_at, t.created_at,
        t.created_at::text AS cursor_key
      FROM ledger_transactions t
      JOIN ledger_entries e ON e.transaction_id = t.id AND e.direction = 'debit'
      JOIN ledger_accounts a ON a.id = e.account_id AND a.kind = 'user_wallet'
      WHERE t.kind = ${kind} AND t.pending_id IS NULL AND t.status IN ('pending', 'voided')
        ${filter.ownerId ? sql`AND a.owner_id = ${filter.ownerId}::uuid` : sql``}
        ${filter.state ? state[filter.state] : sql``}
        ${filter.after ? sql`AND (t.created_at, t.id) < (${filter.after.createdAt}::timestamptz, ${filter.after.id}::uuid)` : sql``}
      ORDER BY t.created_at DESC, t.id DESC
      LIMIT ${filter.limit + 1}`.execute(this.db);
    return rows;
  }
}
