import type { Kysely, Transaction } from 'kysely';
import { tablesOf } from '../db/database.js';
import { sendAhead } from '../db/send-ahead.js';
import { type DomainEvent, isEventType } from './event.js';
import type { EventsTables } from './outbox.tables.js';
import { currentTraceparent } from '../tracing/tracing.js';

export interface NewEvent {
  type: string;
  /** What the event is about, e.g. `payment:<id>`: events of one aggregate are published in order. */
  aggregate: string;
  data: unknown;
  /**
   * The W3C trace the event continues, when it is not the current one: one statement may
   * write the events of several requests (a group of checkouts), each in its own trace.
   */
  traceparent?: string;
}

/**
 * Writes events inside the caller's transaction: they are published (by the relay) if and
 * only if that transaction commits. Modules get this, never the bus, so no event can be
 * announced for a change that was rolled back.
 */
export interface Outbox {
  write(trx: Transaction<object>, events: readonly NewEvent[]): Promise<DomainEvent[]>;
  /**
   * As `write`, for a caller that needs no answer: the events go out without waiting for
   * the database, and the transaction's next statement follows in the same round trip
   * (send-ahead.ts). A failed append fails that statement or the COMMIT, so the
   * transaction commits nothing.
   */
  append(trx: Transaction<object>, events: readonly NewEvent[]): Promise<void>;
}

const MAX_EVENTS_PER_WRITE = 100;

/** The insert of `events`, checked (at most 100, known types) before anything is sent. */
function insertOf(trx: Transaction<object>, events: readonly NewEvent[]) {
  if (events.length > MAX_EVENTS_PER_WRITE)
    throw new RangeError(`at most ${MAX_EVENTS_PER_WRITE} events per transaction`);
  for (const event of events)
    if (!isEventType(event.type)) throw new TypeError(`"${event.type}" is not an event type`);
  const traceContext = currentTraceparent() ?? null;
  return tablesOf<EventsTables>(trx as Kysely<object>)
    .insertInto('outbox_events')
    .values(
      events.map((event) => ({
        type: event.type,
        aggregate: event.aggregate,
        data: JSON.stringify(event.data),
        trace_context: event.traceparent ?? traceContext,
      })),
    );
}

export const databaseOutbox: Outbox = {
  async write(trx, events) {
    if (events.length === 0) return [];
    const rows = await insertOf(trx, events)
      .returning(['id', 'type', 'aggregate', 'data', 'created_at', 'trace_context'])
      .execute();
    return rows.map(toDomainEvent);
  },
  async append(trx, events) {
    if (events.length > 0) await sendAhead(trx as Kysely<object>, insertOf(trx, events));
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
