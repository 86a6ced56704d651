import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { type MetricsListener, startMetricsListener } from '../../src/platform/metrics/metrics.server.js';
import { freePort } from '../helpers/crashable-server.js';
import { eventually } from '../helpers/eventually.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { market } from '../helpers/payments.js';
import { type Exposition, samplesOf, scrape, valueOf } from '../helpers/prometheus-text.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { apiAt, startTestApp, type TestApp } from '../helpers/test-app.js';

const HTTP_TOTAL = 'mamlaka_http_requests_total';
const HTTP_SECONDS = 'mamlaka_http_request_duration_seconds';

describe('metrics on their own listener', () => {
  let app: TestApp;
  let port: number;
  let metrics: Exposition;
  let receiver: Server;

  beforeAll(async () => {
    // /fail answers 500: its deliveries fail and are retried later.
    receiver = createServer((request, response) =>
      response.writeHead(request.url === '/fail' ? 500 : 200).end(),
    );
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = await freePort();
    app = await startTestApp({
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      WEBHOOK_ALLOW_LIST: '127.0.0.1',
      WEBHOOK_DELIVERY_INTERVAL: '100ms',
      RATE_LIMIT_LOGIN_FAILURES: '2',
    });
    const { buyer, seller, product } = await market(app, { stock: 2 });
    for (const hookPath of ['/hooks', '/fail']) {
      const hook = await app.api('POST', '/webhooks', {
        token: buyer.token,
        body: {
          url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${hookPath}`,
          event_types: ['payment.succeeded'],
        },
      });
      expect(hook.status).toBe(201);
    }
    const order = (quantity: number) =>
      app.api('POST', '/orders', {
        token: buyer.token,
        body: { items: [{ product_id: product.id, quantity }], payment_method: 'wallet' },
      });
    expect((await order(1)).status).toBe(201);
    expect((await order(5)).status).toBe(409);
    const payout = await app.api('POST', '/wallet/payouts', {
      token: seller.token,
      body: { amount: '1000', currency: 'IDR' },
    });
    expect(payout.status).toBe(201);
    const badLogins = [];
    for (let i = 0; i < 3; i++) {
      badLogins.push(
        (
          await app.api('POST', '/users/login', {
            body: { email: buyer.email, password: 'wrong password 1' },
          })
        ).status,
      );
    }
    expect(badLogins).toContain(429);
    expect((await app.api('GET', `/products/${randomUUID()}`)).status).toBe(404);
    expect((await app.api('GET', `/no/such/path/${randomUUID()}`)).status).toBe(404);
    // The relay and the first ledger check run in the background: wait for both.
    metrics = await eventually(
      () => scrape(port),
      (m) =>
        valueOf(m, 'mamlaka_outbox_relayed_events_total') > 0 &&
        valueOf(m, 'mamlaka_webhook_deliveries_total', { outcome: 'delivered' }) > 0 &&
        valueOf(m, 'mamlaka_webhook_deliveries_total', { outcome: 'failed' }) > 0 &&
        valueOf(m, 'mamlaka_ledger_check_last_run_timestamp_seconds') > 0,
      20_000,
      200,
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    receiver?.close();
  });

  it('declares every family with its type and help', () => {
    expect(metrics.types.get(HTTP_TOTAL)).toBe('counter');
    expect(metrics.types.get(HTTP_SECONDS)).toBe('histogram');
    expect(metrics.types.get('mamlaka_checkouts_total')).toBe('counter');
    expect(metrics.types.get('mamlaka_outbox_lag_seconds')).toBe('gauge');
    expect(metrics.types.get('mamlaka_db_pool_connections')).toBe('gauge');
    expect(metrics.help.get(HTTP_TOTAL)).toBeTruthy();
  });

  it('counts REST requests by method, route template and status', () => {
    expect(valueOf(metrics, HTTP_TOTAL, { method: 'POST', route: '/orders', status_code: '201' })).toBe(1);
    expect(valueOf(metrics, HTTP_TOTAL, { method: 'POST', route: '/orders', status_code: '409' })).toBe(1);
    expect(valueOf(metrics, HTTP_TOTAL, { method: 'GET', route: '/products/:id', status_code: '404' })).toBe(
      1,
    );
    expect(valueOf(metrics, HTTP_TOTAL, { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
  });

  it('never puts a raw path or an id in a label', () => {
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-/i;
    for (const sample of metrics.samples) {
      for (const value of Object.values(sample.labels)) expect(value).not.toMatch(uuid);
      if (sample.labels.route) expect(sample.labels.route).not.toContain('/no/such');
    }
  });

  it('times requests in a histogram whose +Inf bucket equals its count', () => {
    const labels = { method: 'POST', route: '/orders', status_code: '201' };
    const buckets = samplesOf(metrics, `${HTTP_SECONDS}_bucket`, labels);
    expect(buckets.length).toBeGreaterThan(5);
    const inf = buckets.find((b) => b.labels.le === '+Inf')!;
    expect(inf.value).toBe(valueOf(metrics, `${HTTP_SECONDS}_count`, labels));
    expect(valueOf(metrics, `${HTTP_SECONDS}_sum`, labels)).toBeGreaterThan(0);
    // Cumulative: each bucket holds at least the one before it.
    const values = buckets.map((b) => b.value);
    expect(values).toEqual([...values].sort((x, y) => x - y));
  });

  it('counts checkout outcomes and payments by status and method', () => {
    expect(valueOf(metrics, 'mamlaka_checkouts_total', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(
      valueOf(metrics, 'mamlaka_checkouts_total', { outcome: 'insufficient_stock' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      valueOf(metrics, 'mamlaka_payments_total', { status: 'succeeded', method: 'wallet' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts webhook deliveries and rate-limit refusals', () => {
    expect(valueOf(metrics, 'mamlaka_webhook_deliveries_total', { outcome: 'delivered' })).toBeGreaterThan(0);
    expect(valueOf(metrics, 'mamlaka_webhook_deliveries_total', { outcome: 'failed' })).toBeGreaterThan(0);
    expect(metrics.types.get('mamlaka_webhook_endpoints_disabled_total')).toBe('counter');
    expect(
      valueOf(metrics, 'mamlaka_rate_limit_refusals_total', { limit: 'loginFailures' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports the queues, the pool, the ledger check and the process', () => {
    expect(samplesOf(metrics, 'mamlaka_outbox_lag_seconds')).toHaveLength(1);
    expect(valueOf(metrics, 'mamlaka_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(samplesOf(metrics, 'mamlaka_mail_queue_depth')).toHaveLength(1);
    expect(samplesOf(metrics, 'mamlaka_payouts_pending_oldest_age_seconds')).toHaveLength(1);
    expect(valueOf(metrics, 'mamlaka_payouts_pending_oldest_age_seconds')).toBeGreaterThan(0);
    // PostgreSQL has a background pool besides the requests' (the embedded database has one session).
    const pools = app.platform.database.kind === 'postgres' ? ['background', 'requests'] : ['requests'];
    const pool = samplesOf(metrics, 'mamlaka_db_pool_connections').map(
      (s) => `${s.labels.pool} ${s.labels.state}`,
    );
    expect(pool.sort()).toEqual(
      pools.flatMap((name) => ['idle', 'in_use', 'waiting'].map((state) => `${name} ${state}`)),
    );
    // Both have served: the requests, and the relay and consumers of their events.
    for (const name of pools)
      expect(
        valueOf(metrics, 'mamlaka_db_pool_connections', { pool: name, state: 'idle' }) +
          valueOf(metrics, 'mamlaka_db_pool_connections', { pool: name, state: 'in_use' }),
      ).toBeGreaterThanOrEqual(1);
    expect(valueOf(metrics, 'mamlaka_ledger_check_violations')).toBe(0);
    const lastRun = valueOf(metrics, 'mamlaka_ledger_check_last_run_timestamp_seconds');
    expect(Math.abs(Date.now() / 1000 - lastRun)).toBeLessThan(60);
    expect(valueOf(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samplesOf(metrics, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
  });

  it('serves nothing but /metrics, and leaves a taken port to its owner', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    const second = await startMetricsListener(
      { host: '127.0.0.1', port },
      app.platform.metrics,
      createLogger(app.config),
    );
    expect(second).toBeUndefined();
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
  });
});

describe('metrics of a split service role', () => {
  let db: TestDatabase;
  let dataDir: string;
  let service: Platform;
  let gateway: Platform;
  let listener: MetricsListener | undefined;
  let grpcAddress: string;
  let gatewayUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-metrics-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'http://127.0.0.1',
      METRICS_PORT: String(await freePort()),
    });
    const logger = createLogger(config);
    service = await createPlatform(config, logger, db.database, 'catalog');
    grpcAddress = `127.0.0.1:${await service.grpc.listen('127.0.0.1', 0)}`;
    listener = await startMetricsListener(config.metrics, service.metrics, logger);
    const services = { ...config.services, users: grpcAddress, catalog: grpcAddress, payments: grpcAddress };
    gateway = await createPlatform({ ...config, services }, logger, db.database, 'gateway');
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    const address = gateway.app.server.address();
    gatewayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 60_000);

  afterAll(async () => {
    await listener?.close();
    await gateway?.close();
    await service?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves its own gRPC series, by service, method and status name', async () => {
    expect((await apiAt(gatewayUrl)('GET', '/products')).status).toBe(200);
    const clients = grpcClients(grpcAddress);
    try {
      const missing = await call(clients.catalog, 'GetProduct', { id: randomUUID() });
      expect(missing.error).toBeDefined();
    } finally {
      clients.close();
    }
    const metrics = await scrape(listener!.port);
    const service = 'mamlaka.catalog.v1.CatalogService';
    expect(metrics.types.get('mamlaka_grpc_requests_total')).toBe('counter');
    expect(
      valueOf(metrics, 'mamlaka_grpc_requests_total', { service, method: 'ListProducts', code: 'OK' }),
    ).toBe(1);
    expect(
      valueOf(metrics, 'mamlaka_grpc_requests_total', { service, method: 'GetProduct', code: 'NOT_FOUND' }),
    ).toBe(1);
    expect(
      valueOf(metrics, 'mamlaka_grpc_request_duration_seconds_count', { service, method: 'ListProducts' }),
    ).toBe(1);
    // The gateway's REST traffic is the gateway's: the service reports only its own.
    expect(samplesOf(metrics, 'mamlaka_http_requests_total', { route: '/products' })).toHaveLength(0);
  });
});
