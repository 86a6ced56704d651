import type { Logger } from 'pino';
import type { EventBus } from './event-bus.js';
import { createInProcessBus } from './in-process.bus.js';
import { connectNatsBus } from './nats.bus.js';

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
  const bus = natsUrl
    ? await connectNatsBus({ url: natsUrl, stream, subjectPrefix: `mamlaka.${stream.toLowerCase()}`, logger })
    : createInProcessBus({ logger });
  logger.info({ kind: bus.kind, ...(natsUrl ? { stream } : {}) }, 'event bus open');
  return bus;
}
