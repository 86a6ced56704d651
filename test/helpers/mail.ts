import { type Kysely, sql } from 'kysely';
import { fieldContext } from '../../src/platform/crypto/reencrypt.js';
import type { TestApp } from './test-app.js';

export interface QueuedMail {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
}

/**
 * The mails of `kind` queued to `to`, oldest first, decrypted with the app's key ring: the
 * address, subject and bodies are stored encrypted, so SQL alone cannot match or read them.
 */
export async function queuedMails(app: TestApp, kind: string, to: string): Promise<QueuedMail[]> {
  const { rows } = await sql<QueuedMail>`
    SELECT m.id, m.to_address, m.subject, m.text_body
    FROM mail_messages m LEFT JOIN outbox_events e ON e.id = m.event_id
    WHERE m.kind = ${kind}
    -- The mails of one batch of events share their transaction's created_at: in event order.
    ORDER BY m.created_at, e.position, m.id`.execute(app.db.database.db as Kysely<object>);
  const open = (row: QueuedMail, field: 'to_address' | 'subject' | 'text_body') =>
    app.platform.keyring.open(row[field], fieldContext('mail_messages', field, row.id));
  return rows
    .map((row) => ({
      id: row.id,
      to_address: open(row, 'to_address'),
      subject: open(row, 'subject'),
      text_body: open(row, 'text_body'),
    }))
    .filter((mail) => mail.to_address === to);
}
