import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { MetricsSettings } from '../../config.metrics.js';
import type { PlatformMetrics } from './metrics.platform.js';

export interface MetricsListener {
  /** The port bound (METRICS_PORT), for logs and tests. */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics on its own listener, apart from the API: it is not behind the API's
 * authentication, rate limits or TLS, so it stays on loopback (or a pod's network) for the
 * scraper alone. A port already taken (a second process on one machine, each with the
 * default) is logged and skipped: metrics must never keep a server from starting.
 * Resolves undefined when METRICS_PORT is 0 or the port is taken.
 */
export async function startMetricsListener(
  settings: Pick<MetricsSettings, 'host' | 'port'>,
  metrics: PlatformMetrics,
  logger: Logger,
): Promise<MetricsListener | undefined> {
  if (settings.port === 0) return undefined;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.scrape().then(
      (body) => {
        response.writeHead(200, { 'content-type': metrics.contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
      },
    );
  });
  // Prometheus keeps its connection open between scrapes; closing must not wait for it.
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: settings.host, port: settings.port }, () => resolve());
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    logger.warn(
      { port: settings.port, code },
      `METRICS_PORT ${settings.port} is not available: /metrics is not served by this process`,
    );
    return undefined;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  logger.info(`metrics at http://${settings.host}:${port}/metrics`);
  return { port, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
