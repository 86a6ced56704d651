import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { DomainEvent } from '../../platform/events/event.js';
import { keepingClaim } from '../../platform/db/claim-lease.js';
import { handleBatchOnce } from '../../platform/events/handle-once.js';
import {
  afterAttempt,
  checkEndpoint,
  checkKeys,
  PUSH_TTL_SECONDS,
  type PushPolicy,
} from './push.delivery-rules.js';
import type { NewDelivery, PushRepository } from './push.repository.js';
import type { PushDeliveryRow } from './push.tables.js';
import { pushesFor } from './push.rules.js';
import type { PushSender } from './push.sender.js';

export const CONSUMER = 'push';
/** Browsers one user may have subscribed at once; subscribing one more drops the stalest. */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;
const MAX_SEND_BATCH = 50;

export interface PushOptions {
  mode: 'sandbox' | 'live';
  publicKey: string;
  policy: PushPolicy;
  /**
   * How long a claimed push stays hidden from other senders after its sender stops keeping
   * the claim (it died): a live sender moves it ahead every third of this time.
   */
  leaseMs: number;
  logger: Logger;
}

export interface SubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * Web Push to the browsers users subscribed. Handling an event only queues rendered
 * pushes (in the transaction that records the event as handled, so a redelivery queues
 * nothing); a separate loop sends the queue with backoff. A subscription its push service
 * calls gone is deleted with what was queued for it.
 */
export class PushService {
  constructor(
    private readonly db: Kysely<object>,
    private readonly repo: PushRepository,
    private readonly send: PushSender,
    private readonly options: PushOptions,
  ) {}

  /** The public key browsers subscribe with (`applicationServerKey`), base64url. */
  vapidKey() {
    return { public_key: this.options.publicKey };
  }

  /**
   * Stores the caller's browser subscription; the same endpoint again updates it.
   * @throws invalid (400, `validation_failed`) for an endpoint that is not a push service
   *   this mode may reach, or keys a push could not be encrypted to.
   */
  async subscribe(actor: Actor | undefined, input: SubscriptionInput, userAgent: string | undefined) {
    const me = authorize(actor);
    const endpointError = checkEndpoint(input.endpoint, this.options.mode);
    const fields = [...(endpointError ? [endpointError] : []), ...checkKeys(input.keys)];
    if (fields.length > 0) throw new AppError('invalid', 'validation_failed', fields[0]!.message, { fields });
    const saved = await this.repo.saveSubscription(
      {
        user_id: me.userId,
        endpoint: input.endpoint,
        p256dh: input.keys.p256dh,
        auth: input.keys.auth,
        user_agent: userAgent?.slice(0, 512) ?? null,
      },
      MAX_SUBSCRIPTIONS_PER_USER,
    );
    return { id: saved.id, endpoint: saved.endpoint, created_at: new Date(saved.created_at).toISOString() };
  }

  /**
   * Deletes one of the caller's subscriptions. Only its owner may: a browser belongs to a
   * person, and anyone else (admins included) is told it does not exist.
   * @throws not_found (`push_subscription_not_found`)
   */
  async unsubscribe(actor: Actor | undefined, id: string): Promise<void> {
    const me = authorize(actor);
    if (!(await this.repo.deleteSubscription(id, me.userId))) throw notFound('push_subscription');
  }

  /** The user's subscribed browsers for an export: endpoints and times, never their keys. */
  async subscriptionsOf(userId: string) {
    const rows = await this.repo.subscriptionsOfUser(userId, 100);
    return rows.map((row) => ({
      id: row.id,
      endpoint: row.endpoint,
      user_agent: row.user_agent,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    }));
  }

  /** Erasure: the user's browsers and queued pushes, in the caller's transaction. */
  eraseUser(trx: Transaction<object>, userId: string): Promise<void> {
    return this.repo.eraseUser(trx, userId);
  }

  /** Retention: finished pushes older than `cutoff`. Returns how many went. */
  deleteOlderThan(cutoff: Date): Promise<number> {
    return this.repo.deleteDeliveriesOlderThan(cutoff);
  }

  /** The event consumer. Idempotent: returns false for an event handled before. */
  async handle(event: DomainEvent): Promise<boolean> {
    return (await this.handleBatch([event])).length > 0;
  }

  /**
   * The event consumer for a batch: one transaction records the events and queues the
   * pushes of those not handled before, reading every recipient's browsers in one query.
   * @returns the events handled now
   */
  handleBatch(events: readonly DomainEvent[]): Promise<DomainEvent[]> {
    return handleBatchOnce(this.db, CONSUMER, events, async (trx, fresh) => {
      const planned = fresh.flatMap((event) => pushesFor(event).map((plan) => ({ event, plan })));
      const userIds = [...new Set(planned.map(({ plan }) => plan.userId))];
      const subscriptions = await this.repo.subscriptionsOf(
        trx,
        userIds,
        userIds.length * MAX_SUBSCRIPTIONS_PER_USER,
      );
      const rows: NewDelivery[] = planned.flatMap(({ event, plan }) =>
        subscriptions
          .filter((subscription) => subscription.user_id === plan.userId)
          .map((subscription) => ({
            subscription_id: subscription.id,
            event_id: event.id,
            event_type: event.type,
            user_id: plan.userId,
            payload: JSON.stringify(plan.message),
            urgency: plan.urgency,
          })),
      );
      await this.repo.insertDeliveries(trx, rows);
    });
  }

  /**
   * Sends up to a batch of due pushes, each to its subscription's current keys.
   * @returns how many were claimed (a full batch means more may be due)
   */
  async sendDue(limit = 20): Promise<number> {
    const claimed = await this.repo.claimDue(
      Math.min(Math.max(limit, 1), MAX_SEND_BATCH),
      this.options.leaseMs,
    );
    if (claimed.length === 0) return 0;
    await keepingClaim(
      this.options.leaseMs,
      () => this.repo.extendClaims(claimed, this.options.leaseMs),
      (error) => this.options.logger.warn({ err: error }, 'push lease not extended'),
      () => this.sendClaimed(claimed),
    );
    return claimed.length;
  }

  /** Sends claimed pushes one after another, recording each outcome as it comes. */
  private async sendClaimed(claimed: readonly PushDeliveryRow[]): Promise<void> {
    const subscriptions = new Map(
      (await this.repo.subscriptionsByIds([...new Set(claimed.map((d) => d.subscription_id))])).map((s) => [
        s.id,
        s,
      ]),
    );
    for (const delivery of claimed) {
      const subscription = subscriptions.get(delivery.subscription_id);
      // Unsubscribed since it was claimed: its deliveries went with it.
      if (!subscription) continue;
      const outcome = await this.send(
        { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        delivery.payload,
        { urgency: delivery.urgency, ttlSeconds: PUSH_TTL_SECONDS },
      );
      const next = afterAttempt(
        outcome,
        {
          attempts: delivery.attempts + 1,
          ageMs: Date.now() - new Date(delivery.created_at).getTime(),
        },
        this.options.policy,
      );
      if (next.status !== 'sent')
        this.options.logger.warn(
          {
            deliveryId: delivery.id,
            subscriptionId: subscription.id,
            statusCode: outcome.statusCode,
            error: outcome.error,
            next: next.status,
          },
          'push not delivered',
        );
      if (next.status === 'gone') {
        await this.repo.forgetSubscription(subscription.id);
        continue;
      }
      await this.repo.recordAttempt(delivery, {
        status: next.status,
        statusCode: outcome.statusCode,
        error:
          outcome.error ?? (next.status === 'sent' ? null : `push service answered ${outcome.statusCode}`),
        ...(next.status === 'pending' ? { retryInMs: next.retryInMs } : {}),
      });
    }
  }
}
