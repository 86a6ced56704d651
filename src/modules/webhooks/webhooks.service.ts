import { randomBytes, randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { conflict, invalidField, notFound, unprocessable } from '../../platform/errors.js';
import type { ClaimedDelivery, WebhooksRepository } from './webhooks.repository.js';
import {
  afterFailure,
  isDelivered,
  isSubscribable,
  type RetryPolicy,
  shouldDisable,
} from './webhooks.rules.js';
import { contextFrom, inSpan, SpanKind } from '../../platform/tracing/tracing.js';
import type { Sender } from './webhooks.sender.js';
import { SIGNATURE_HEADER, signatureHeader } from './webhooks.signature.js';
import type { EndpointRow } from './webhooks.tables.js';
import {
  type PublicDelivery,
  type PublicEndpoint,
  publicDelivery,
  publicEndpoint,
} from './webhooks.public.js';
import { checkWebhookUrl, type Resolver } from '../../platform/http/url-guard.js';
import {
  webhookDeliveriesTotal,
  webhookEndpointsDisabledTotal,
} from '../../platform/metrics/metrics.registry.js';

const MAX_ENDPOINTS_PER_OWNER = 20;
const MAX_DELIVERIES_LISTED = 100;
const MAX_BATCH = 100;

export interface WebhookEvent {
  id: string;
  type: string;
  created: number;
  data: unknown;
}

/** An event to send to the webhooks of its owners. */
export interface EnqueuedEvent {
  type: string;
  data: unknown;
  ownerIds: readonly string[];
  /** The domain event's id (a new one when absent); deliveries of one event share it. */
  id?: string;
  createdMs?: number;
}

/**
 * Withholds personal data from endpoints of recipients who may not receive it (the CCPA's
 * "do not sell or share"): the event's data as each recipient may see it.
 */
export interface PersonalDataFilter {
  forRecipients(
    trx: Transaction<object>,
    event: { type: string; data: unknown; personIds: readonly string[] },
  ): Promise<(recipientId: string) => unknown>;
}

/**
 * Outbound webhooks: integrators register endpoints for their own events; other modules
 * enqueue events inside their business transactions; a delivery loop POSTs them signed,
 * retrying with backoff and disabling endpoints that keep failing.
 */
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly send: Sender,
    private readonly options: {
      allowList: readonly string[];
      policy: RetryPolicy;
      /** How long a claimed delivery is hidden from other workers: longer than a send can take. */
      leaseMs: number;
      logger: Logger;
      resolve?: Resolver;
      random?: () => number;
      personalData?: PersonalDataFilter;
    },
  ) {}

  /**
   * Registers an endpoint owned by the caller. The URL must be http(s) and resolve only to
   * public addresses (or allow-listed ones). Returns the signing secret: the only time it
   * is shown. Errors: `validation_failed` (url, event_types), `endpoint_limit_reached`.
   */
  async register(
    actor: Actor | undefined,
    input: { url: string; event_types: string[] },
  ): Promise<PublicEndpoint & { secret: string }> {
    const me = authorize(actor);
    const types = [...new Set(input.event_types)];
    if (types.length === 0 || types.length > 20) {
      throw invalidField('event_types', 'invalid_event_types', 'event_types must list 1 to 20 event types');
    }
    const unknown = types.find((type) => !isSubscribable(type));
    if (unknown !== undefined) {
      throw invalidField('event_types', 'unknown_event_type', `event type ${unknown} does not exist`);
    }
    const check = await checkWebhookUrl(input.url, this.options.allowList, this.options.resolve);
    if (!check.ok) throw invalidField('url', check.code, check.message);
    if ((await this.repo.countEndpoints(me.userId)) >= MAX_ENDPOINTS_PER_OWNER) {
      throw unprocessable('endpoint_limit_reached', `at most ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints`);
    }
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const row = await this.repo.insertEndpoint({
      owner_id: me.userId,
      url: check.url.toString(),
      event_types: types,
      secret,
    });
    return { ...publicEndpoint(row), secret };
  }

  /** The caller's endpoints (every endpoint for an admin), without secrets. */
  async list(actor: Actor | undefined): Promise<PublicEndpoint[]> {
    const me = authorize(actor);
    const rows = await this.repo.listEndpoints(me.role === 'admin' ? undefined : me.userId, 1000);
    return rows.map(publicEndpoint);
  }

  /** An owner's endpoints (no secrets) with their deliveries counted by status, for an export. */
  async exportOf(ownerId: string) {
    const endpoints = await this.repo.listEndpoints(ownerId, MAX_ENDPOINTS_PER_OWNER);
    const counts = await this.repo.deliveryCounts(endpoints.map((row) => row.id));
    return endpoints.map((row) => ({
      ...publicEndpoint(row),
      deliveries: Object.fromEntries(
        counts
          .filter((count) => count.endpoint_id === row.id)
          .map((count) => [count.status, Number(count.count)]),
      ),
    }));
  }

  /** Erasure: the owner's endpoints with their deliveries, in the caller's transaction. */
  eraseOwner(trx: Transaction<object>, ownerId: string): Promise<void> {
    return this.repo.deleteEndpointsOf(trx, ownerId);
  }

  /** Retention: finished deliveries older than `cutoff`, with their attempts. Returns how many went. */
  deleteOlderThan(cutoff: Date): Promise<number> {
    return this.repo.deleteDeliveriesOlderThan(cutoff);
  }

  /** Deletes an endpoint with its deliveries and their log. `webhook_endpoint_not_found` for others'. */
  async remove(actor: Actor | undefined, id: string): Promise<void> {
    await this.ownedEndpoint(actor, id);
    await this.repo.deleteEndpoint(id);
  }

  /** The latest deliveries of one endpoint, newest first, each with its attempt log. */
  async deliveries(actor: Actor | undefined, endpointId: string, limit = 20): Promise<PublicDelivery[]> {
    await this.ownedEndpoint(actor, endpointId);
    const rows = await this.repo.listDeliveries(
      endpointId,
      Math.min(Math.max(limit, 1), MAX_DELIVERIES_LISTED),
    );
    const attempts = await this.repo.attemptsOf(rows.map((row) => row.id));
    return rows.map((row) =>
      publicDelivery(
        row,
        attempts.filter((attempt) => attempt.delivery_id === row.id),
      ),
    );
  }

  /**
   * Records an event for every enabled endpoint of `ownerIds` subscribed to its type, in
   * the caller's transaction: if the business action rolls back, nothing is sent. The
   * payload is serialised once here and sent byte for byte on every attempt.
   */
  async enqueue(
    trx: Transaction<object>,
    event: EnqueuedEvent,
  ): Promise<{ event: WebhookEvent; deliveries: number }> {
    const owners = [...new Set(event.ownerIds)];
    const endpoints = owners.length > 0 ? await this.repo.subscribedEndpointIds(trx, owners, event.type) : [];
    return this.enqueueTo(trx, event, endpoints);
  }

  /**
   * enqueue for the events of a consumer's batch, in one transaction: the enabled endpoints
   * of every owner in the batch are read with one query, then each event with a subscribed
   * endpoint is queued through `each` (the consumer runs it in the event's own trace).
   */
  async enqueueBatch(
    trx: Transaction<object>,
    events: readonly EnqueuedEvent[],
    each: (event: EnqueuedEvent, work: () => Promise<unknown>) => Promise<unknown> = (_, work) => work(),
  ): Promise<void> {
    const owners = [...new Set(events.flatMap((event) => event.ownerIds.map((id) => id.toLowerCase())))];
    if (owners.length === 0) return;
    const enabled = await this.repo.enabledEndpointsOf(trx, owners);
    for (const event of events) {
      const ownerIds = new Set(event.ownerIds.map((id) => id.toLowerCase()));
      const endpoints = enabled.filter(
        (endpoint) =>
          ownerIds.has(endpoint.owner_id) &&
          (endpoint.event_types.includes(event.type) || endpoint.event_types.includes('*')),
      );
      if (endpoints.length > 0) await each(event, () => this.enqueueTo(trx, event, endpoints));
    }
  }

  /** Queues one delivery of `event` to each of `endpoints`, the ones subscribed to it. */
  private async enqueueTo(
    trx: Transaction<object>,
    event: EnqueuedEvent,
    endpoints: readonly { id: string; owner_id: string }[],
  ): Promise<{ event: WebhookEvent; deliveries: number }> {
    const built: WebhookEvent = {
      id: event.id ?? randomUUID(),
      type: event.type,
      created: Math.floor((event.createdMs ?? Date.now()) / 1000),
      data: event.data,
    };
    if (endpoints.length === 0) return { event: built, deliveries: 0 };
    const payload = JSON.stringify(built);
    const shape = await this.options.personalData?.forRecipients(trx, {
      ...built,
      personIds: [...new Set(event.ownerIds)],
    });
    // Serialised once per recipient, and only when the filter changed something for them.
    const payloadFor = (ownerId: string) => {
      const data = shape?.(ownerId) ?? built.data;
      return data === built.data ? payload : JSON.stringify({ ...built, data });
    };
    const rows = await this.repo.insertDeliveries(
      trx,
      endpoints.map((endpoint) => ({
        endpoint_id: endpoint.id,
        event_id: built.id,
        event_type: built.type,
        payload: payloadFor(endpoint.owner_id),
      })),
    );
    return { event: built, deliveries: rows.length };
  }

  /**
   * Sends the same payload again as a new delivery, due now. Errors:
   * `webhook_delivery_not_found` (also for someone else's), `endpoint_disabled`.
   */
  async replay(actor: Actor | undefined, deliveryId: string): Promise<PublicDelivery> {
    const me = authorize(actor);
    const original = await this.repo.findDeliveryWithOwner(deliveryId);
    if (!original) throw notFound('webhook_delivery');
    authorize(me, { object: { kind: 'webhook_delivery', ownerIds: [original.owner_id] } });
    if (original.endpoint_status !== 'enabled') {
      throw conflict('endpoint_disabled', 'the endpoint is disabled; deliveries to it cannot be replayed');
    }
    const [row] = await this.repo.insertDeliveries(undefined, [
      {
        endpoint_id: original.endpoint_id,
        event_id: original.event_id,
        event_type: original.event_type,
        payload: original.payload,
      },
    ]);
    return publicDelivery(row!, []);
  }

  /**
   * Sends up to `limit` due deliveries and records each outcome; safe to run in several
   * processes at once (each delivery is claimed by one). Returns how many were attempted.
   */
  async deliverDue(limit = 20): Promise<number> {
    const claimed = await this.repo.claimDue(Math.min(Math.max(limit, 1), MAX_BATCH), this.options.leaseMs);
    const outcomes = await Promise.allSettled(claimed.map((delivery) => this.attempt(delivery)));
    for (const outcome of outcomes) {
      // The lease expires and the delivery is tried again; one bad row must not stop the batch.
      if (outcome.status === 'rejected') {
        this.options.logger.error({ err: outcome.reason }, 'recording a webhook attempt failed');
      }
    }
    return claimed.length;
  }

  /** One attempt, in the trace of the handling that created the delivery (when tracing is on). */
  private attempt(delivery: ClaimedDelivery): Promise<void> {
    return inSpan(
      'webhook deliver',
      {
        kind: SpanKind.CLIENT,
        parent: contextFrom(delivery.trace_context),
        attributes: { 'mamlaka.webhook.delivery_id': delivery.id, 'mamlaka.event.type': delivery.event_type },
      },
      () => this.attemptNow(delivery),
    );
  }

  private async attemptNow(delivery: ClaimedDelivery): Promise<void> {
    const result = await this.send(delivery.url, delivery.payload, {
      'content-type': 'application/json',
      'user-agent': 'Mamlaka-Webhooks/1',
      [SIGNATURE_HEADER]: signatureHeader(delivery.secret, delivery.payload, Math.floor(Date.now() / 1000)),
      'Mamlaka-Event-Id': delivery.event_id,
      'Mamlaka-Event-Type': delivery.event_type,
      'Mamlaka-Delivery-Id': delivery.id,
    });
    if (isDelivered(result.statusCode ?? undefined)) {
      const recorded = await this.repo.recordDelivered(delivery.id, delivery.attempts, {
        statusCode: result.statusCode!,
        durationMs: result.durationMs,
      });
      if (recorded) webhookDeliveriesTotal.inc({ outcome: 'delivered' });
      else this.movedOn(delivery.id);
      return;
    }
    const error =
      result.error ??
      (result.statusCode !== null && result.statusCode >= 300 && result.statusCode < 400
        ? `redirect (${result.statusCode}) not followed`
        : `unexpected status ${result.statusCode}`);
    await this.repo.transaction(async (trx) => {
      const current = await this.repo.lockClaimed(trx, delivery.id, delivery.attempts);
      if (!current) {
        this.movedOn(delivery.id);
        return;
      }
      await this.repo.insertAttempt(trx, {
        delivery_id: delivery.id,
        status_code: result.statusCode,
        error,
        duration_ms: result.durationMs,
      });
      const next = afterFailure(
        { attempts: current.attempts + 1, ageMs: Date.now() - new Date(current.created_at).getTime() },
        this.options.policy,
        this.options.random,
      );
      await this.repo.markFailedAttempt(trx, delivery.id, {
        statusCode: result.statusCode,
        error,
        retryInMs: next.giveUp ? null : next.delayMs,
      });
      webhookDeliveriesTotal.inc({ outcome: next.giveUp ? 'dead' : 'failed' });
      const endpoint = await this.repo.countFailure(trx, delivery.endpoint_id);
      if (
        endpoint?.status === 'enabled' &&
        shouldDisable(
          {
            failureStreak: endpoint.failure_streak,
            failingForMs: endpoint.failing_since
              ? Date.now() - new Date(endpoint.failing_since).getTime()
              : 0,
          },
          this.options.policy,
        )
      ) {
        await this.repo.disableEndpoint(trx, delivery.endpoint_id);
        webhookEndpointsDisabledTotal.inc();
        this.options.logger.warn({ endpointId: delivery.endpoint_id }, 'webhook endpoint disabled');
      }
    });
  }

  private movedOn(deliveryId: string): void {
    this.options.logger.warn({ deliveryId }, 'webhook delivery moved on while being sent');
  }

  private async ownedEndpoint(actor: Actor | undefined, id: string): Promise<EndpointRow> {
    const me = authorize(actor);
    const endpoint = await this.repo.findEndpoint(id);
    if (!endpoint) throw notFound('webhook_endpoint');
    authorize(me, { object: { kind: 'webhook_endpoint', ownerIds: [endpoint.owner_id] } });
    return endpoint;
  }
}
