import type { Kysely, Transaction } from 'kysely';
import { tablesOf } from '../db/database.js';
import type { DomainEvent } from './event.js';
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
