import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../db/database.js';
import type { DomainEvent } from './event.js';
import { MAX_HANDLER_BATCH } from './event-bus.js';
import type { EventsTables } from './outbox.tables.js';

/**
 * Runs a consumer's effect for an event at most once: the event id is recorded in the same
 * transaction as the effect, so a redelivered event (NATS redelivery, a relay that
 * republished after a crash) finds it recorded and does nothing. Concurrent deliveries of
 * one event serialise on the primary key; the second sees the first's record.
 * @returns whether the effect ran
 */
export function handleOnce(
  db: Kysely<object>,
  consumer: string,
  event: DomainEvent,
  effect: (trx: Transaction<object>) => Promise<void>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const recorded = await tablesOf<EventsTables>(trx)
      .insertInto('handled_events')
      .values({ consumer, event_id: event.id })
      .onConflict((conflict) => conflict.doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!recorded) return false;
    await effect(trx);
    return true;
  });
}

/**
 * handleOnce for a batch: one transaction records every event of the batch in one statement
 * and runs the effect for those not recorded before (`fresh`, in the batch's order, each
 * once). The ids are inserted in sorted order, so two instances handling overlapping
 * batches wait on each other instead of deadlocking; the second finds the first's records.
 * @returns the events whose effect ran
 */
export function handleBatchOnce(
  db: Kysely<object>,
  consumer: string,
  events: readonly DomainEvent[],
  effect: (trx: Transaction<object>, fresh: readonly DomainEvent[]) => Promise<void>,
): Promise<DomainEvent[]> {
  if (events.length === 0) return Promise.resolve([]);
  if (events.length > MAX_HANDLER_BATCH)
    throw new RangeError(`at most ${MAX_HANDLER_BATCH} events per batch, not ${events.length}`);
  // PostgreSQL returns uuids in lower case; an event may carry its id in either.
  const ids = [...new Set(events.map((event) => event.id.toLowerCase()))].sort();
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ event_id: string }>`
      INSERT INTO handled_events (consumer, event_id)
      SELECT ${consumer}, id FROM unnest(${ids}::uuid[]) AS batch(id) ORDER BY id
      ON CONFLICT DO NOTHING
      RETURNING event_id`.execute(trx);
    const recorded = new Set(rows.map((row) => row.event_id));
    const fresh = events.filter((event) => recorded.delete(event.id.toLowerCase()));
    if (fresh.length > 0) await effect(trx, fresh);
    return fresh;
  });
}
