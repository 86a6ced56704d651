import type { FastifyInstance } from 'fastify';
import type { PlatformMetrics } from './metrics.platform.js';

/** The label of requests no route matched: raw paths would make the label set unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Records every answered REST request under its route template (`/payments/:id`), never its
 * path. Installed before any route so that every route, and the 404 handler, inherits it.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: PlatformMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.http.observe(
      request.method,
      request.routeOptions.url ?? UNMATCHED_ROUTE,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
