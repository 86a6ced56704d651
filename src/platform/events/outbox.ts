import type { Kysely, Transaction } from 'kysely';
import { tablesOf } from '../db/database.js';
import { type DomainEvent, isEventType } from './event.js';
import type { EventsTables } from './outbox.tables.js';
import { currentTraceparent } from '../tracing/tracing.js';

export interface NewEvent {
  type: string;
  /** What the event is about, e.g. `payment:<id>`: events of one aggregate are published in order. */
  aggregate: string;
  data: unknown;
}

/**
 * Writes events inside the caller's transaction: they are published (by the relay) if and
 * only if that transaction commits. Modules get this, never the bus, so no event can be
 * announced for a change that was rolled back.
 */
export interface Outbox {
  write(trx: Transaction<object>, events: readonly NewEvent[]): Promise<DomainEvent[]>;
}

const MAX_EVENTS_PER_WRITE = 100;

export const databaseOutbox: Outbox = {
  async write(trx, events) {
    if (events.length === 0) return [];
    if (events.length > MAX_EVENTS_PER_WRITE)
      throw new RangeError(`at most ${MAX_EVENTS_PER_WRITE} events per transaction`);
    for (const event of events)
      if (!isEventType(event.type)) throw new TypeError(`"${event.type}" is not an event type`);
    const traceContext = currentTraceparent() ?? null;
    const rows = await tablesOf<EventsTables>(trx as Kysely<object>)
      .insertInto('outbox_events')
      .values(
        events.map((event) => ({
          type: event.type,
          aggregate: event.aggregate,
          data: JSON.stringify(event.data),
          trace_context: traceContext,
        })),
      )
      .returning(['id', 'type', 'aggregate', 'data', 'created_at', 'trace_context'])
      .execute();
    return rows.map(toDomainEvent);
  },
};

export const toDomainEvent = (row: {
  id: string;
  type: string;
  aggregate: string;
  data: unknown;
  created_at: Date;
  trace_context?: string | null;
}): DomainEvent => ({
  id: row.id,
  type: row.type,
  aggregate: row.aggregate,
  created: new Date(row.created_at).getTime(),
  data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
  ...(row.trace_context ? { traceparent: row.trace_context } : {}),
});
