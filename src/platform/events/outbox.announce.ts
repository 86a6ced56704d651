import { type RawBuilder, sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { OutboxRelay } from './outbox.relay.js';

/** The channel the relay LISTENs on; the payload is the outbox table's schema (see below). */
export const OUTBOX_CHANNEL = 'mamlaka_outbox';

/**
 * The schema the outbox table resolves to on this connection: announcer and relay name it the
 * same way, so that relays of other schemas sharing the database ignore the announcement.
 */
export const outboxSchema: RawBuilder<string> = sql<string>`(
  SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = 'outbox_events'::regclass)`;

/**
 * Tells the relay, wherever it runs, that events were committed: after each commit (in this
 * process) of a transaction that wrote to the outbox, a `NOTIFY` in a transaction of its own.
 *
 * Not from inside the writing transaction, on purpose: PostgreSQL serialises every
 * transaction that notified under one cluster-wide lock held through its commit's WAL
 * flush, so a trigger's NOTIFY would queue every checkout behind every other checkout's
 * fsync (measured here: 3,000 inserts/s became 160/s at 32 clients). This NOTIFY commits
 * asynchronously (a lost notification costs only a poll, never an event), so it holds that
 * lock for microseconds; and at most one is in flight per process, the commits made
 * meanwhile folded into the next, so a busy process sends one per round trip, not one per
 * commit.
 *
 * When `local` (this process's relay) is the one relaying, it is woken in process and no
 * NOTIFY is sent: a NOTIFY is a transaction, a wake-up of the listening backend and a
 * message back to this same process, about one per sale under load. Only the lease's
 * holder relays, so while it is here no other process needs to hear; should it lose the
 * lease in between, the new holder finds the events by its poll, as after a lost NOTIFY.
 * @returns the function that stops announcing
 */
export function announceOutboxCommits(
  database: Database,
  logger: Logger,
  local?: Pick<OutboxRelay, 'leads' | 'nudge'>,
): () => void {
  if (!database.afterCommit) return () => {};
  let sending = false;
  let again = false;
  const send = async () => {
    sending = true;
    try {
      do {
        again = false;
        await sql`
          SELECT set_config('synchronous_commit', 'off', true),
                 pg_notify(${OUTBOX_CHANNEL}, ${outboxSchema})`.execute(database.db);
      } while (again);
    } catch (error) {
      // The relay's poll finds the events; the next commit announces again.
      logger.warn({ err: error }, 'cannot announce outbox commits');
    } finally {
      sending = false;
    }
  };
  return database.afterCommit('outbox_events', () => {
    if (local?.leads()) local.nudge();
    else if (sending) again = true;
    else void send();
  });
}
