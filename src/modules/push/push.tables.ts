import type { Generated, Selectable } from 'kysely';

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';
export type PushDeliveryStatus = 'pending' | 'sent' | 'failed';

export interface PushSubscriptionsTable {
  id: Generated<string>;
  user_id: string;
  endpoint: string;
  /** The browser's P-256 public key (base64url, uncompressed point): what payloads are encrypted to. */
  p256dh: string;
  /** The browser's 16-byte authentication secret (base64url). */
  auth: string;
  user_agent: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PushDeliveriesTable {
  id: Generated<string>;
  subscription_id: string;
  event_id: string;
  event_type: string;
  user_id: string;
  payload: string;
  urgency: PushUrgency;
  status: Generated<PushDeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
}

/** The tables the push module owns. */
export interface PushTables {
  push_subscriptions: PushSubscriptionsTable;
  push_deliveries: PushDeliveriesTable;
}

export type PushSubscriptionRow = Selectable<PushSubscriptionsTable>;
export type PushDeliveryRow = Selectable<PushDeliveriesTable>;
