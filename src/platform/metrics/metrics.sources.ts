import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { GaugeSources } from './metrics.platform.js';

/**
 * The scrape-time reads behind the gauges. They read other modules' tables, which no
 * module does: these are read-only counts for operators, each served by an existing
 * partial index (outbox_events_unpublished_idx, mail_messages_due_idx,
 * ledger_transactions_kind_created_idx), so a scrape every few seconds costs little.
 */
export function gaugeSources(
  database: Database,
  parts: { relays: boolean; sendsMail: boolean; checksLedger: boolean },
): GaugeSources {
  const { db } = database;
  return {
    pool: () => database.poolStats?.() ?? { inUse: 0, idle: 1, waiting: 0 },
    outboxLagSeconds: parts.relays
      ? () =>
          secondsSince(
            db,
            sql`SELECT created_at AS since FROM outbox_events WHERE published_at IS NULL ORDER BY position LIMIT 1`,
          )
      : undefined,
    mailQueueDepth: parts.sendsMail
      ? async () => {
          const { rows } = await sql<{
            depth: number;
          }>`SELECT count(*)::int AS depth FROM mail_messages WHERE status = 'pending'`.execute(db);
          return rows[0]?.depth ?? 0;
        }
      : undefined,
    payoutsPendingAgeSeconds: parts.checksLedger
      ? () =>
          secondsSince(
            db,
            sql`SELECT min(created_at) AS since FROM ledger_transactions
                WHERE kind = 'payout' AND pending_id IS NULL AND status = 'pending' AND resolved_at IS NULL`,
          )
      : undefined,
  };
}

/** Seconds from the row's `since` to the database's clock (not ours: no skew), 0 without a row. */
async function secondsSince(db: Kysely<object>, query: ReturnType<typeof sql>): Promise<number> {
  const { rows } = await sql<{
    age: number | null;
  }>`SELECT extract(epoch FROM now() - q.since)::float8 AS age FROM (${query}) q`.execute(db);
  return Math.max(0, rows[0]?.age ?? 0);
}
