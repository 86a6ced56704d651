import type { Generated, Selectable } from 'kysely';

export interface MidtransNotificationsTable {
  id: Generated<string>;
  order_id: string;
  transaction_status: string | null;
  signature_valid: boolean;
  outcome: string;
  raw: unknown;
  received_at: Generated<Date>;
}

/** The tables the Midtrans module owns: the audit trail of every notification. */
export interface MidtransTables {
  midtrans_notifications: MidtransNotificationsTable;
}

export type MidtransNotificationRow = Selectable<MidtransNotificationsTable>;
