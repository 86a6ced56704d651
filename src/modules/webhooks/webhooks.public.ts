import type { AttemptRow, DeliveryRow, EndpointRow } from './webhooks.tables.js';

// What the webhook routes answer: endpoints and deliveries as their owners see them.

export interface PublicEndpoint {
  id: string;
  owner_id: string;
  url: string;
  event_types: string[];
  status: 'enabled' | 'disabled';
  failure_streak: number;
  created_at: string;
  disabled_at: string | null;
}

export interface PublicDelivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  attempt_log: {
    attempted_at: string;
    status_code: number | null;
    error: string | null;
    duration_ms: number;
  }[];
}

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export const publicEndpoint = (row: EndpointRow): PublicEndpoint => ({
  id: row.id,
  owner_id: row.owner_id,
  url: row.url,
  event_types: row.event_types,
  status: row.status,
  failure_streak: row.failure_streak,
  created_at: iso(row.created_at)!,
  disabled_at: iso(row.disabled_at),
});

export const publicDelivery = (row: DeliveryRow, attempts: AttemptRow[]): PublicDelivery => ({
  id: row.id,
  endpoint_id: row.endpoint_id,
  event_id: row.event_id,
  event_type: row.event_type,
  payload: row.payload,
  status: row.status,
  attempts: row.attempts,
  next_attempt_at: iso(row.next_attempt_at)!,
  last_status_code: row.last_status_code,
  last_error: row.last_error,
  created_at: iso(row.created_at)!,
  delivered_at: iso(row.delivered_at),
  attempt_log: attempts.map((attempt) => ({
    attempted_at: iso(attempt.attempted_at)!,
    status_code: attempt.status_code,
    error: attempt.error,
    duration_ms: attempt.duration_ms,
  })),
});
