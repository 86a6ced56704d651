import type { Generated, Selectable } from 'kysely';

export interface WebhookEndpointsTable {
  id: Generated<string>;
  owner_id: string;
  url: string;
  event_types: string[];
  secret: string;
  status: Generated<'enabled' | 'disabled'>;
  failure_streak: Generated<number>;
  failing_since: Date | null;
  created_at: Generated<Date>;
  disabled_at: Date | null;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Generated<Date>;
  delivered_at: Date | null;
  /** The W3C traceparent of the handling that created the delivery (tracing on). */
  trace_context: Generated<string | null>;
}

export interface WebhookAttemptsTable {
  id: Generated<string | number | bigint>;
  delivery_id: string;
  attempted_at: Generated<Date>;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface WebhooksTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;
