import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The shared Redis client (rate limits, revocations, cache invalidation). Loaded only when
 * Redis is used; a command fails fast rather than queueing while Redis is away, so a
 * request is refused or falls back instead of hanging.
 */
export async function openRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new (await import('ioredis')).Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  return redis;
}
