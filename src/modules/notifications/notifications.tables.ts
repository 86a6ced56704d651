import type { Generated, Selectable } from 'kysely';

export type MailCategory = 'transactional' | 'marketing';
export type MailStatus = 'pending' | 'sent' | 'failed' | 'suppressed';

export interface MailMessagesTable {
  id: Generated<string>;
  event_id: string | null;
  kind: string;
  category: MailCategory;
  user_id: string | null;
  /** Encrypted at rest, as are subject and both bodies (the repository reads and writes plaintext). */
  to_address: string;
  /** Blind index of the address: what "one mail per (event, kind, recipient)" keys on. */
  to_address_index: string | null;
  subject: string;
  text_body: string;
  html_body: string;
  status: Generated<MailStatus>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  message_id: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
}

export interface MailAttemptsTable {
  id: Generated<string | number | bigint>;
  mail_id: string;
  attempted_at: Generated<Date>;
  error: string | null;
  duration_ms: number;
}

export interface MailPreferencesTable {
  user_id: string;
  marketing: boolean;
  updated_at: Generated<Date>;
}

/** The tables the notifications module owns. */
export interface NotificationsTables {
  mail_messages: MailMessagesTable;
  mail_attempts: MailAttemptsTable;
  mail_preferences: MailPreferencesTable;
}

export type MailRow = Selectable<MailMessagesTable>;
export type MailAttemptRow = Selectable<MailAttemptsTable>;
