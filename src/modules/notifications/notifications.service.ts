import type { KeyRing } from '../../platform/crypto/keyring.js';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { afterFailure, type BackoffPolicy } from '../../platform/backoff.js';
import type { DomainEvent } from '../../platform/events/event.js';
import { keepingClaim } from '../../platform/db/claim-lease.js';
import { handleBatchOnce } from '../../platform/events/handle-once.js';
import { inEventTrace } from '../../platform/tracing/events.js';
import type { Outbox } from '../../platform/events/outbox.js';
import { type Mailer, toMailDeliveryError } from '../../platform/mail/mailer.js';
import type { Contact, UserContacts } from '../users/users.contacts.js';
import type { MailOutcome, NotificationsRepository, NewMail } from './notifications.repository.js';
import { type MailPlan, mailsFor } from './notifications.rules.js';
import { type RecoveryMailPlan, recoveryMailsFor } from './notifications.recovery-templates.js';
import type { MailRow, MailStatus } from './notifications.tables.js';
import { type Branding, renderAnnouncement } from './notifications.templates.js';

/** Where addresses come from: the users module, behind the calls this module needs. */
export type ContactDirectory = Pick<UserContacts, 'contactsOf' | 'contacts'>;

/** Told of every marketing choice in its transaction: the privacy module's consent history. */
export interface MarketingConsents {
  recordMarketing(
    trx: Transaction<object>,
    userId: string,
    granted: boolean,
    origin: { ip?: string; source: string },
  ): Promise<void>;
}

export interface NotificationsOptions {
  /** Where marketing choices are recorded as consents; absent in tools that change none. */
  consents?: MarketingConsents;
  branding: Branding;
  policy: BackoffPolicy;
  /**
   * How long a claimed mail stays hidden from other senders after its sender stops keeping
   * the claim (it died): a live sender moves it ahead every third of this time.
   */
  leaseMs: number;
  logger: Logger;
  /** Opens the links recovery events carry sealed (users.recovery-events.ts). */
  keyring?: Pick<KeyRing, 'decrypt'>;
}

export const CONSUMER = 'notifications';

interface EventPlans {
  mails: MailPlan[];
  recovery: RecoveryMailPlan[];
}
const MAX_SEND_BATCH = 50;
/**
 * Mails per send slot in a round. A slot's sends run one after another, each bounded by the
 * mailer's deadline: the fewer per slot, the sooner a slow server's round ends and gives
 * its mails' outcomes to the record.
 */
const SENDS_PER_SLOT = 3;
const MAX_LISTED = 100;
const CONTACTS_PAGE = 500;

/**
 * Turns events into mail. Handling an event only queues rendered mails (in a transaction
 * that also records the event as handled, so a redelivery queues nothing); a separate
 * loop sends the queue through the mailer with backoff, logging every attempt.
 */
export class NotificationsService {
  constructor(
    private readonly db: Kysely<object>,
    private readonly repo: NotificationsRepository,
    private readonly directory: ContactDirectory,
    private readonly mailer: Mailer,
    private readonly outbox: Outbox,
    private readonly options: NotificationsOptions,
  ) {}

  /** The event consumer. Idempotent: returns false for an event handled before. */
  async handle(event: DomainEvent): Promise<boolean> {
    return (await this.handleBatch([event])).length > 0;
  }

  /**
   * The event consumer for a batch: one transaction records the events and queues the
   * mails of those not handled before.
   * @returns the events handled now
   */
  async handleBatch(events: readonly DomainEvent[]): Promise<DomainEvent[]> {
    // Every recipient of the batch is looked up at once, before the transaction (the lookup
    // uses its own connection): one query per batch, not one per mail.
    const plans = new Map(events.map((event) => [event.id, this.plansOf(event)]));
    const contacts = await this.directory.contactsOf(
      [...plans.values()].flatMap(({ mails, recovery }) =>
        [...mails, ...recovery].map((plan) => plan.recipientId),
      ),
    );
    const mails = new Map<string, NewMail[]>();
    for (const event of events)
      mails.set(
        event.id,
        await inEventTrace(CONSUMER, event, async () =>
          event.type === 'announcement.published'
            ? this.announcementMails(event)
            : this.planned(event, plans.get(event.id)!, contacts),
        ),
      );
    return handleBatchOnce(this.db, CONSUMER, events, async (trx, fresh) => {
      await this.repo.insertMails(
        trx,
        fresh.flatMap((event) => mails.get(event.id) ?? []),
      );
    });
  }

  /**
   * Sends up to a batch of due mails, as many at a time as the mailer takes, then records
   * every outcome in one statement. A transient failure (SMTP down, 4xx) is retried with backoff; a
   * permanent one (5xx) or one past the policy's age fails the mail. Marketing mail to
   * someone who turned it off is suppressed at send time, whenever they chose. A sender that
   * dies before the record leaves the batch to be sent again when its lease runs out, under
   * the same Message-ID, which a receiving server drops as a copy; a live one keeps the
   * lease moving until its record is written, however slow the server.
   */
  async sendDue(limit = this.sendBatch): Promise<number> {
    const claimed = await this.repo.claimDue(
      Math.min(Math.max(limit, 1), MAX_SEND_BATCH),
      this.options.leaseMs,
    );
    if (claimed.length === 0) return 0;
    const outcomes: MailOutcome[] = [];
    let next = 0;
    const sender = async () => {
      while (next < claimed.length) outcomes.push(await this.attempt(claimed[next++]!));
    };
    await keepingClaim(
      this.options.leaseMs,
      () => this.repo.extendClaims(claimed, this.options.leaseMs),
      (error) => this.options.logger.warn({ err: error }, 'mail lease not extended'),
      async () => {
        await Promise.all(Array.from({ length: Math.min(this.mailer.concurrency, claimed.length) }, sender));
        await this.repo.recordAttempts(outcomes);
      },
    );
    return claimed.length;
  }

  /** Mails a round claims: enough to keep every send the mailer takes busy, three times over. */
  get sendBatch(): number {
    return Math.min(this.mailer.concurrency * SENDS_PER_SLOT, MAX_SEND_BATCH);
  }

  /** One try of a claimed mail: what to record of it. */
  private async attempt(mail: MailRow): Promise<MailOutcome> {
    const started = performance.now();
    if (mail.category === 'marketing' && mail.user_id && !(await this.repo.marketingAllowed(mail.user_id)))
      return { mail, status: 'suppressed', error: 'marketing mail turned off', durationMs: 0 };
    try {
      const sent = await this.mailer.send({
        from: this.options.branding.from,
        to: mail.to_address,
        subject: mail.subject,
        text: mail.text_body,
        html: mail.html_body,
        // The same id on every attempt, so a receiving server can drop a resent copy.
        messageId: `<${mail.id}@mamlaka>`,
      });
      return {
        mail,
        status: 'sent',
        error: null,
        messageId: sent.messageId,
        durationMs: performance.now() - started,
      };
    } catch (error) {
      const failure = toMailDeliveryError(error);
      const next = afterFailure(
        { attempts: mail.attempts + 1, ageMs: Date.now() - new Date(mail.created_at).getTime() },
        this.options.policy,
      );
      const giveUp = failure.permanent || next.giveUp;
      this.options.logger.warn({ err: failure, mailId: mail.id, giveUp }, 'mail not sent');
      return {
        mail,
        status: giveUp ? 'failed' : 'pending',
        error: failure.message.slice(0, 500),
        durationMs: performance.now() - started,
        ...(giveUp ? {} : { retryInMs: next.delayMs }),
      };
    }
  }

  /** The caller's mail preferences; marketing mail is on until they turn it off. */
  async preferences(actor: Actor | undefined) {
    const me = authorize(actor);
    const saved = await this.repo.preferences(me.userId);
    return {
      marketing: saved?.marketing ?? true,
      updated_at: saved ? new Date(saved.updated_at).toISOString() : null,
    };
  }

  /**
   * Stores the caller's choice with its time, and a consent record of it in the same
   * transaction. Transactional mail is not a choice.
   */
  async updatePreferences(
    actor: Actor | undefined,
    input: { marketing: boolean },
    origin: { ip?: string; source?: string } = {},
  ) {
    const me = authorize(actor);
    const saved = await this.db.transaction().execute(async (trx) => {
      const row = await this.repo.savePreferences(me.userId, input.marketing, trx);
      await this.options.consents?.recordMarketing(trx, me.userId, input.marketing, {
        ip: origin.ip,
        source: origin.source ?? 'mail_preferences',
      });
      return row;
    });
    return { marketing: saved.marketing, updated_at: new Date(saved.updated_at).toISOString() };
  }

  /** Admins: queues a marketing mail to every active user, through the outbox like any event. */
  async announce(actor: Actor | undefined, input: { subject: string; text: string }) {
    authorize(actor, { roles: ['admin'] });
    const [event] = await this.db
      .transaction()
      .execute((trx) =>
        this.outbox.write(trx, [{ type: 'announcement.published', aggregate: 'announcement', data: input }]),
      );
    return { id: event!.id, subject: input.subject };
  }

  /** Erasure of a user's mail data (preferences, queued and sent mail), in the caller's transaction. */
  eraseUser(trx: Transaction<object>, userId: string): Promise<void> {
    return this.repo.eraseUser(trx, userId);
  }

  /** Retention: finished mails older than `cutoff`, with their attempts. Returns how many went. */
  deleteOlderThan(cutoff: Date): Promise<number> {
    return this.repo.deleteOlderThan(cutoff);
  }

  /** Admins: the mail log, newest first, each mail with its attempts. */
  async list(
    actor: Actor | undefined,
    filter: { status?: MailStatus; userId?: string; eventId?: string; limit?: number },
  ) {
    authorize(actor, { roles: ['admin'] });
    const rows = await this.repo.listMail(filter, Math.min(filter.limit ?? MAX_LISTED, MAX_LISTED));
    return rows.map(({ mail, attempts }) => ({
      id: mail.id,
      event_id: mail.event_id,
      kind: mail.kind,
      category: mail.category,
      user_id: mail.user_id,
      to: mail.to_address,
      subject: mail.subject,
      status: mail.status,
      attempts: mail.attempts,
      last_error: mail.last_error,
      created_at: new Date(mail.created_at).toISOString(),
      sent_at: mail.sent_at ? new Date(mail.sent_at).toISOString() : null,
      attempt_log: attempts.map((attempt) => ({
        attempted_at: new Date(attempt.attempted_at).toISOString(),
        error: attempt.error,
        duration_ms: attempt.duration_ms,
      })),
    }));
  }

  /** The mails an event calls for, before their recipients' addresses are known. */
  private plansOf(event: DomainEvent): EventPlans {
    if (event.type === 'announcement.published') return { mails: [], recovery: [] };
    const { keyring } = this.options;
    return { mails: mailsFor(event, keyring), recovery: keyring ? recoveryMailsFor(event, keyring) : [] };
  }

  /** An event's mails to those of its recipients who still have an active account. */
  private planned(event: DomainEvent, plans: EventPlans, contacts: Map<string, Contact>): NewMail[] {
    const mails: NewMail[] = [];
    for (const plan of plans.mails) {
      const to = contacts.get(plan.recipientId.toLowerCase());
      if (!to) continue;
      const rendered = plan.render(to, this.options.branding);
      mails.push({
        event_id: event.id,
        kind: plan.kind,
        category: plan.category,
        user_id: to.id,
        to_address: to.email,
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
      });
    }
    // Verification and reset links go to the address they were made for (after an e-mail
    // change, not necessarily the one the account has by now), and only to an active account.
    for (const plan of plans.recovery) {
      const to = contacts.get(plan.recipientId.toLowerCase());
      if (!to) continue;
      const rendered = plan.render(to, this.options.branding);
      mails.push({
        event_id: event.id,
        kind: plan.kind,
        category: 'transactional',
        user_id: to.id,
        to_address: plan.to,
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
      });
    }
    return mails;
  }

  private async announcementMails(event: DomainEvent): Promise<NewMail[]> {
    const announcement = event.data as { subject: string; text: string };
    const mails: NewMail[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.directory.contacts(after, CONTACTS_PAGE);
      for (const to of page) {
        const rendered = renderAnnouncement(announcement, to, this.options.branding);
        mails.push({
          event_id: event.id,
          kind: 'announcement',
          category: 'marketing',
          user_id: to.id,
          to_address: to.email,
          subject: rendered.subject,
          text_body: rendered.text,
          html_body: rendered.html,
        });
      }
      if (page.length < CONTACTS_PAGE) return mails;
      after = page.at(-1)!.id;
    }
  }
}
