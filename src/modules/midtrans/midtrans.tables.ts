import type { Generated, Selectable } from 'kysely';

export interface MidtransNotificationsTable {
  id: Generated<string>;
  order_id: string;
  transaction_status: string | null;
  signature_valid: boolean;
  outcome: string;
  /** The notification as received; NULL for a forged one, which keeps only `raw_sample`. */
  raw: unknown;
  /** At most 1 KB of a forged notification's text; NULL for a genuine one. */
  raw_sample: string | null;
  received_at: Generated<Date>;
}

/** How many forged notifications arrived in all: one row. */
export interface MidtransForgedCountTable {
  singleton: Generated<boolean>;
  total: bigint;
  last_received_at: Date | null;
}

/** The tables the Midtrans module owns: the audit trail of notifications, and the forgeries' count. */
export interface MidtransTables {
  midtrans_notifications: MidtransNotificationsTable;
  midtrans_forged_notifications_count: MidtransForgedCountTable;
}

export type MidtransNotificationRow = Selectable<MidtransNotificationsTable>;
