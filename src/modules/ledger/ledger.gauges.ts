import { type Kysely, sql } from 'kysely';
import { secondsSince } from '../../platform/db/seconds-since.js';

/**
 * Age of the oldest payout hold neither paid nor cancelled, 0 when none: the
 * `mamlaka_payouts_pending_oldest_age_seconds` gauge (index ledger_transactions_kind_created_idx).
 */
export const oldestPendingPayoutAgeSeconds = (db: Kysely<object>): Promise<number> =>
  secondsSince(
    db,
    sql`SELECT min(created_at) AS since FROM ledger_transactions
        WHERE kind = 'payout' AND pending_id IS NULL AND status = 'pending' AND resolved_at IS NULL`,
  );
