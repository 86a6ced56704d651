import type { Logger } from 'pino';
import type { EventBus } from './event-bus.js';
import { createInProcessBus } from './in-process.bus.js';

/**
 * NATS JetStream when a URL is configured (several instances, durable delivery), otherwise
 * the in-process bus (one instance; the outbox relay's retries make it at-least-once).
 * Each stream gets subjects of its own, so deployments sharing a NATS never overlap.
 */
export async function openEventBus({
  natsUrl,
  stream = 'MAMLAKA_EVENTS',
  logger,
}: {
  natsUrl?: string;
  stream?: string;
  logger: Logger;
}): Promise<EventBus> {
  // The NATS client is loaded only when NATS is used.
  const bus = natsUrl
    ? await (
        await import('./nats.bus.js')
      ).connectNatsBus({ url: natsUrl, stream, subjectPrefix: `mamlaka.${stream.toLowerCase()}`, logger })
    : createInProcessBus({ logger });
  logger.info({ kind: bus.kind, ...(natsUrl ? { stream } : {}) }, 'event bus open');
  return bus;
}
