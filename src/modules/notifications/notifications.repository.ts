import { randomUUID } from 'node:crypto';
import { deleteFinishedBefore } from '../../platform/db/batched-delete.js';
import { extendClaims } from '../../platform/db/claim-lease.js';
import { rowSlices } from '../../platform/db/row-slices.js';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { type EncryptedColumns, fieldContext } from '../../platform/crypto/reencrypt.js';
import { tablesOf } from '../../platform/db/database.js';
import type { MailMessagesTable, MailRow, MailStatus, NotificationsTables } from './notifications.tables.js';

/** A mail as the consumer queues it; the queue's own columns take their defaults. */
export type NewMail = Pick<
  MailMessagesTable,
  'event_id' | 'kind' | 'category' | 'user_id' | 'to_address' | 'subject' | 'text_body' | 'html_body'
>;

/** How one try of a claimed mail ended, as the sender records it. */
export interface MailOutcome {
  mail: MailRow;
  status: MailStatus;
  error: string | null;
  durationMs: number;
  messageId?: string;
  /** Tried again after this long (a transient failure). */
  retryInMs?: number;
}

/** What in a queued mail is personal: who it goes to and everything it says. */
const SEALED = ['to_address', 'subject', 'text_body', 'html_body'] as const;
const ADDRESS_INDEX_PURPOSE = 'mail_messages.to_address';

/** The notifications module's encrypted columns, for the rotation job (collected in src/encrypted-columns.ts). */
export const notificationsEncryptedColumns: EncryptedColumns[] = [
  {
    table: 'mail_messages',
    key: ['id'],
    columns: SEALED,
    blindIndexes: [
      {
        column: 'to_address_index',
        of: 'to_address',
        purpose: ADDRESS_INDEX_PURPOSE,
        normalize: (address) => address.trim().toLowerCase(),
      },
    ],
  },
];

/**
 * SQL of the notifications module, and nothing else. Queued mail is encrypted here, in the
 * row mapping: the service writes and reads plaintext.
 */
export class NotificationsRepository {
  private readonly db: Kysely<NotificationsTables>;

  constructor(
    db: Kysely<object>,
    private readonly ring: KeyRing,
  ) {
    this.db = tablesOf<NotificationsTables>(db);
  }

  private sealed(mail: NewMail) {
    const id = randomUUID();
    const sealed = { ...mail, id, to_address_index: this.addressIndex(mail.to_address) };
    for (const field of SEALED)
      sealed[field] = this.ring.encrypt(mail[field], fieldContext('mail_messages', field, id));
    return sealed;
  }

  private opened(mail: MailRow): MailRow {
    const opened = { ...mail };
    for (const field of SEALED)
      opened[field] = this.ring.open(mail[field], fieldContext('mail_messages', field, mail.id));
    return opened;
  }

  private addressIndex(address: string): string {
    return this.ring.blindIndex(address.trim().toLowerCase(), ADDRESS_INDEX_PURPOSE);
  }

  /** Queues mails; one already queued for the same (event, kind, recipient) is left alone. */
  async insertMails(trx: Transaction<object>, rows: readonly NewMail[]): Promise<number> {
    let inserted = 0;
    for (const slice of rowSlices(rows)) {
      const ids = await tablesOf<NotificationsTables>(trx)
        .insertInto('mail_messages')
        .values(slice.map((row) => this.sealed(row)))
        .onConflict((conflict) => conflict.columns(['event_id', 'kind', 'to_address_index']).doNothing())
        .returning('id')
        .execute();
      inserted += ids.length;
    }
    return inserted;
  }

  /**
   * Takes up to `limit` due mails and hides them from other senders for `leaseMs`. A
   * sender that dies mid-send leaves the lease to expire, and the mail is tried again.
   */
  claimDue(limit: number, leaseMs: number): Promise<MailRow[]> {
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('mail_messages')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      const claimed = await trx
        .updateTable('mail_messages')
        .set({ next_attempt_at: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
        .where(
          'id',
          'in',
          due.map((row) => row.id),
        )
        .returningAll()
        .execute();
      return claimed.map((mail) => this.opened(mail));
    });
  }

  /** Moves the lease of mails still being sent ahead (see keepingClaim). */
  extendClaims(claimed: readonly MailRow[], leaseMs: number): Promise<void> {
    return extendClaims(this.db as Kysely<object>, 'mail_messages', claimed, leaseMs);
  }

  /**
   * Records what happened to each mail of a send batch, in one statement: the mail's status,
   * count and next try, and an attempt in its log. A mail whose lease ran out and that
   * another sender tried meanwhile (its attempts moved on) is left to that sender's record.
   */
  async recordAttempts(outcomes: readonly MailOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const column = <T>(pick: (outcome: MailOutcome) => T) => outcomes.map(pick);
    await sql`
      WITH outcome AS (
        SELECT * FROM unnest(
          ${column((o) => o.mail.id)}::uuid[], ${column((o) => o.mail.attempts)}::int[],
          ${column((o) => o.status)}::text[], ${column((o) => o.error)}::text[],
          ${column((o) => o.messageId ?? null)}::text[], ${column((o) => o.retryInMs ?? null)}::bigint[],
          ${column((o) => Math.round(o.durationMs))}::int[]
        ) AS o(id, attempts, status, error, message_id, retry_ms, duration_ms)
      ), recorded AS (
        UPDATE mail_messages m SET
          status = o.status,
          attempts = o.attempts + 1,
          last_error = o.error,
          message_id = coalesce(o.message_id, m.message_id),
          sent_at = CASE WHEN o.status = 'sent' THEN now() ELSE m.sent_at END,
          next_attempt_at = CASE WHEN o.retry_ms IS NULL THEN m.next_attempt_at
            ELSE now() + o.retry_ms * interval '1 millisecond' END
        FROM outcome o
        WHERE m.id = o.id AND m.status = 'pending' AND m.attempts = o.attempts
        RETURNING m.id
      )
      INSERT INTO mail_attempts (mail_id, error, duration_ms)
      SELECT o.id, o.error, o.duration_ms FROM outcome o JOIN recorded USING (id)`.execute(this.db);
  }

  async marketingAllowed(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('mail_preferences')
      .select('marketing')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.marketing ?? true;
  }

  preferences(userId: string) {
    return this.db
      .selectFrom('mail_preferences')
      .select(['marketing', 'updated_at'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  /** In `trx` when given, so a consent record can commit with the choice. */
  savePreferences(userId: string, marketing: boolean, trx?: Transaction<object>) {
    return (trx ? tablesOf<NotificationsTables>(trx) : this.db)
      .insertInto('mail_preferences')
      .values({ user_id: userId, marketing })
      .onConflict((conflict) =>
        conflict.column('user_id').doUpdateSet({ marketing, updated_at: sql<Date>`now()` }),
      )
      .returning(['marketing', 'updated_at'])
      .executeTakeFirstOrThrow();
  }

  /** Erasure: the user's mail preferences and every mail written to them (bodies and addresses), in `trx`. */
  async eraseUser(trx: Transaction<object>, userId: string): Promise<void> {
    const db = tablesOf<NotificationsTables>(trx);
    await db.deleteFrom('mail_preferences').where('user_id', '=', userId).execute();
    await db.deleteFrom('mail_messages').where('user_id', '=', userId).execute();
  }

  /**
   * Retention: mails finished (sent, failed, suppressed) before `cutoff`, with their attempt
   * log, a batch at a time. Pending mail stays whatever its age: it is still owed.
   */
  deleteOlderThan(cutoff: Date, batch = 1_000): Promise<number> {
    return deleteFinishedBefore(this.db as Kysely<object>, 'mail_messages', cutoff, batch);
  }

  async listMail(filter: { status?: MailStatus; userId?: string; eventId?: string }, limit: number) {
    let query = this.db.selectFrom('mail_messages').selectAll();
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.userId) query = query.where('user_id', '=', filter.userId);
    if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
    const mails = await query.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
    if (mails.length === 0) return [];
    const attempts = await this.db
      .selectFrom('mail_attempts')
      .selectAll()
      .where(
        'mail_id',
        'in',
        mails.map((mail) => mail.id),
      )
      .orderBy('attempted_at')
      .orderBy('id')
      .execute();
    return mails.map((mail) => ({
      mail: this.opened(mail),
      attempts: attempts.filter((a) => a.mail_id === mail.id),
    }));
  }
}
