import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events/event-bus.js';
import { drainQueue, repeatEvery, type StopJob } from '../../platform/repeat.js';
import { defaultPushPolicy, type PushPolicy, SANDBOX_PUSH_HOSTS } from './push.delivery-rules.js';
import { PushRepository } from './push.repository.js';
import { pushRoutes } from './push.routes.js';
import { PUSHED_EVENTS } from './push.rules.js';
import { createPushSender } from './push.sender.js';
import { CONSUMER, PushService } from './push.service.js';
import type { VapidKeys } from './push.vapid.js';

export interface PushModule {
  push: PushService;
  routes(app: FastifyInstance): void;
  /** Subscribes the push consumer to the bus. */
  subscribe(bus: EventBus): Promise<void>;
  /** Starts the send loop; returns the function that stops it. */
  /** As NotificationsModule.startSending: one batch per round while `busy()`. */
  startSending(intervalMs: number, busy?: () => boolean): StopJob;
}

const SEND_BATCH = 20;

/** Web Push: events in, encrypted pushes out to the browsers users subscribed. */
export function createPushModule(deps: {
  db: Kysely<object>;
  logger: Logger;
  mode: 'sandbox' | 'live';
  vapid: VapidKeys & { subject: string };
  policy?: Partial<PushPolicy>;
  timeoutMs?: number;
  /** How long a dead sender's claimed pushes wait before another sender tries them; default the timeout + 60 s. */
  leaseMs?: number;
}): PushModule {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const send = createPushSender({
    vapid: deps.vapid,
    // The sandbox's local endpoints live on loopback; live pushes reach only public hosts.
    allowList: deps.mode === 'sandbox' ? SANDBOX_PUSH_HOSTS : [],
    timeoutMs,
  });
  const push = new PushService(deps.db, new PushRepository(deps.db), send, {
    mode: deps.mode,
    publicKey: deps.vapid.publicKey,
    policy: { ...defaultPushPolicy, ...deps.policy },
    // Kept moving while the batch is sent (keepingClaim).
    leaseMs: deps.leaseMs ?? timeoutMs + 60_000,
    logger: deps.logger,
  });
  return {
    push,
    routes: (app) => pushRoutes(app, { push }),
    subscribe: (bus) =>
      bus.subscribeBatch(
        CONSUMER,
        async (events) => {
          await push.handleBatch(events);
        },
        { types: [...PUSHED_EVENTS] },
      ),
    startSending: (intervalMs, busy) =>
      repeatEvery(
        intervalMs,
        // A full batch means more is due.
        (stopping) => drainQueue(async () => (await push.sendDue(SEND_BATCH)) === SEND_BATCH, stopping, busy),
        deps.logger,
        'push sending failed',
      ),
  };
}
