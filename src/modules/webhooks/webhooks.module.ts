import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DomainEvent } from '../../platform/events/event.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { handleBatchOnce } from '../../platform/events/handle-once.js';
import { inEventTrace } from '../../platform/tracing/events.js';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { webhooksRoutes } from './webhooks.routes.js';
import { defaultRetryPolicy, EVENT_TYPES, type RetryPolicy } from './webhooks.rules.js';
import { createSender, type Sender } from './webhooks.sender.js';
import { type PersonalDataFilter, WebhooksService } from './webhooks.service.js';
import type { Resolver } from '../../platform/http/url-guard.js';
import { repeatEvery, type StopJob } from '../../platform/repeat.js';

const CONSUMER = 'webhooks';

export interface WebhooksModule {
  webhooks: WebhooksService;
  routes(app: FastifyInstance): void;
  /**
   * Subscribes the webhooks consumer to the bus: each event becomes one delivery per
   * subscribed endpoint of the users `audience` names, once however often it is delivered.
   */
  subscribe(bus: EventBus, audience: (event: DomainEvent) => string[]): Promise<void>;
  /** Starts the delivery loop; returns the function that stops it. Never overlaps itself. */
  startDelivery(intervalMs: number): StopJob;
}

export function createWebhooksModule(deps: {
  db: Kysely<object>;
  /** Encrypts the endpoints' signing secrets at rest. */
  keyring: KeyRing;
  logger: Logger;
  /** Hosts or addresses deliveries may reach although they are not public (tests: 127.0.0.1). */
  allowList: string[];
  fetchTimeoutMs?: number;
  batchSize?: number;
  retryPolicy?: Partial<RetryPolicy>;
  /** For tests: DNS and the HTTP client. */
  resolve?: Resolver;
  send?: Sender;
  random?: () => number;
  /** Withholds personal data from recipients a person's "do not sell or share" excludes. */
  personalData?: PersonalDataFilter;
}): WebhooksModule {
  const timeoutMs = deps.fetchTimeoutMs ?? 10_000;
  const send = deps.send ?? createSender({ allowList: deps.allowList, timeoutMs, resolve: deps.resolve });
  const webhooks = new WebhooksService(new WebhooksRepository(deps.db, deps.keyring), send, {
    allowList: deps.allowList,
    policy: { ...defaultRetryPolicy, ...deps.retryPolicy },
    // Generous next to the timeout: the outcome must be recorded before anyone else may retry.
    leaseMs: timeoutMs + 60_000,
    logger: deps.logger,
    resolve: deps.resolve,
    random: deps.random,
    personalData: deps.personalData,
  });
  return {
    webhooks,
    routes: (app) => webhooksRoutes(app, { webhooks }),
    subscribe: (bus, audience) =>
      bus.subscribeBatch(
        CONSUMER,
        async (events) => {
          // One transaction records the batch; each event's deliveries are queued in its own
          // trace, which the delivery carries on to the endpoint.
          await handleBatchOnce(deps.db, CONSUMER, events, async (trx, fresh) => {
            const byId = new Map(fresh.map((event) => [event.id, event]));
            await webhooks.enqueueBatch(
              trx,
              fresh.map((event) => ({
                id: event.id,
                createdMs: event.created,
                type: event.type,
                data: event.data,
                ownerIds: audience(event),
              })),
              (queued, work) => inEventTrace(CONSUMER, byId.get(queued.id!)!, work),
            );
          });
        },
        { types: [...EVENT_TYPES] },
      ),
    startDelivery: (intervalMs) =>
      repeatEvery(
        intervalMs,
        () => webhooks.deliverDue(deps.batchSize ?? 20),
        deps.logger,
        'webhook delivery failed',
      ),
  };
}
