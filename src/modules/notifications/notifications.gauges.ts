import { type Kysely, sql } from 'kysely';

/** Mails waiting to be sent: the `mamlaka_mail_queue_depth` gauge (index mail_messages_due_idx). */
export async function mailQueueDepth(db: Kysely<object>): Promise<number> {
  const { rows } = await sql<{
    depth: number;
  }>`SELECT count(*)::int AS depth FROM mail_messages WHERE status = 'pending'`.execute(db);
  return rows[0]?.depth ?? 0;
}
