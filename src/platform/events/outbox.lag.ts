import { type Kysely, sql } from 'kysely';
import { secondsSince } from '../db/seconds-since.js';

/**
 * Age of the oldest event written but not yet relayed, 0 when the outbox is drained: the
 * `mamlaka_outbox_lag_seconds` gauge, read at scrape time through the partial index
 * outbox_events_unpublished_idx.
 */
export const outboxLagSeconds = (db: Kysely<object>): Promise<number> =>
  secondsSince(
    db,
    sql`SELECT created_at AS since FROM outbox_events WHERE published_at IS NULL ORDER BY position LIMIT 1`,
  );
