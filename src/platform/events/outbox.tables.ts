import type { Generated, Selectable } from 'kysely';

export interface OutboxEventsTable {
  position: Generated<string | number | bigint>;
  id: Generated<string>;
  type: string;
  aggregate: string;
  data: unknown;
  created_at: Generated<Date>;
  published_at: Date | null;
  /** The writer's W3C traceparent when tracing was on. */
  trace_context: string | null;
}

export interface HandledEventsTable {
  consumer: string;
  event_id: string;
  handled_at: Generated<Date>;
}

/** The event machinery's own tables; modules only reach them through the outbox and handleOnce. */
export interface EventsTables {
  outbox_events: OutboxEventsTable;
  handled_events: HandledEventsTable;
}

export type OutboxRow = Selectable<OutboxEventsTable>;
