import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import type { Outbox } from '../../platform/events/outbox.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import { NotificationsRepository } from './notifications.repository.js';
import { notificationsRoutes } from './notifications.routes.js';
import { NOTIFIED_EVENTS } from './notifications.rules.js';
import {
  CONSUMER,
  type ContactDirectory,
  type NotificationsOptions,
  NotificationsService,
} from './notifications.service.js';
import { drainQueue, repeatEvery, type StopJob } from '../../platform/repeat.js';

export interface NotificationsModule {
  notifications: NotificationsService;
  routes(app: FastifyInstance): void;
  /** Subscribes the mail consumer to the bus. */
  subscribe(bus: EventBus): Promise<void>;
  /**
   * Starts the send loop; returns the function that stops it. While `busy()` says requests
   * are waiting, a round sends one batch and leaves the rest to the next (drainQueue).
   */
  startSending(intervalMs: number, busy?: () => boolean): StopJob;
}

/** The notification service: events in, mail out. */
export function createNotificationsModule(
  deps: {
    db: Kysely<object>;
    /** Encrypts queued mail (address, subject, bodies) at rest. */
    keyring: KeyRing;
    directory: ContactDirectory;
    mailer: Mailer;
    outbox: Outbox;
  } & NotificationsOptions,
): NotificationsModule {
  const notifications = new NotificationsService(
    deps.db,
    new NotificationsRepository(deps.db, deps.keyring),
    deps.directory,
    deps.mailer,
    deps.outbox,
    deps,
  );
  return {
    notifications,
    routes: (app) => notificationsRoutes(app, { notifications }),
    subscribe: (bus) =>
      bus.subscribeBatch(
        CONSUMER,
        async (events) => {
          await notifications.handleBatch(events);
        },
        { types: [...NOTIFIED_EVENTS, 'announcement.published'] },
      ),
    startSending: (intervalMs, busy) =>
      repeatEvery(
        intervalMs,
        // A full batch means more is due.
        (stopping) =>
          drainQueue(async () => (await notifications.sendDue()) === notifications.sendBatch, stopping, busy),
        deps.logger,
        'mail sending failed',
      ),
  };
}
