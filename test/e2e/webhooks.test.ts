import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSigningKeyPem } from '../../src/platform/auth/signing-key.js';
import { AccessTokens } from '../../src/platform/auth/tokens.js';
import type { Actor } from '../../src/platform/auth/policy.js';
import { RateLimits } from '../../src/platform/http/rate-limits.js';
import { createHttpApp } from '../../src/platform/http/server.js';
import { createWebhooksModule, type WebhooksModule } from '../../src/modules/webhooks/webhooks.module.js';
import { testKeyRing } from '../helpers/keyring.js';
import { adminOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** An integrator's server: verifies signatures with its own HMAC code, answers as told. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  signatureValid: boolean;
}
interface Receiver {
  url: string;
  received: Received[];
  answer: (request: Received) => { status: number; delayMs?: number; headers?: Record<string, string> };
  secrets: Map<string, string>;
  close(): Promise<void>;
}

function verifiedByIntegrator(header: string | undefined, body: string, secret: string | undefined): boolean {
  if (!header || !secret) return false;
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!parts.v1 || !Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const mine = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const theirs = Buffer.from(parts.v1, 'hex');
  return theirs.length === mine.length && timingSafeEqual(theirs, mine);
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: () => ({ status: 200 }),
    secrets: new Map(),
    close: async () => {},
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '/';
      const entry: Received = {
        path,
        headers: request.headers,
        body,
        signatureValid: verifiedByIntegrator(
          request.headers['mamlaka-signature'] as string | undefined,
          body,
          receiver.secrets.get(path),
        ),
      };
      receiver.received.push(entry);
      const { status, delayMs = 0, headers = {} } = receiver.answer(entry);
      setTimeout(() => {
        if (response.destroyed) return;
        response.writeHead(status, headers).end('ok');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

const silent = pino({ level: 'silent' });
/** One ring for every module instance here: they share the database, and its encrypted secrets. */
const keyring = testKeyRing();

describe('outbound webhooks', () => {
  let app: TestApp;
  let db: Kysely<object>;
  let module: WebhooksModule;
  let receiver: Receiver;
  let http: FastifyInstance;
  let httpUrl: string;
  let user: Awaited<ReturnType<typeof signUp>>;
  let actor: Actor;
  let pathCounter = 0;

  const due = () =>
    sql`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending'`.execute(db);
  const deliveriesOf = (endpointId: string) => module.webhooks.deliveries(actor, endpointId, 100);

  /** A fresh endpoint on its own receiver path, its secret known to the receiver. */
  async function endpoint(eventTypes = ['*'], who: Actor = actor) {
    pathCounter += 1;
    const path = `/hooks/${pathCounter}`;
    const created = await module.webhooks.register(who, {
      url: receiver.url + path,
      event_types: eventTypes,
    });
    receiver.secrets.set(path, created.secret);
    return { ...created, path };
  }

  async function enqueue(type: string, data: unknown, ownerIds = [actor.userId]) {
    return db.transaction().execute((trx) => module.webhooks.enqueue(trx, { type, data, ownerIds }));
  }

  async function api<T = Record<string, unknown>>(
    method: string,
    route: string,
    token: string,
    body?: unknown,
  ) {
    const response = await fetch(httpUrl + route, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { results: T; meta: Record<string, unknown> },
    };
  }

  beforeAll(async () => {
    // The platform's own delivery loop would take this suite's deliveries from under the
    // workers it drives by hand; it does not run within the suite's lifetime.
    app = await startTestApp({ WEBHOOK_DELIVERY_INTERVAL: '1h' });
    db = app.db.database.db;
    receiver = await startReceiver();
    module = createWebhooksModule({
      db,
      keyring,
      logger: silent,
      allowList: ['127.0.0.1'],
      fetchTimeoutMs: 300,
      retryPolicy: { baseDelayMs: 1_000, disableAfterFailures: 3 },
    });
    // Until the module is wired into the platform, its routes run on their own gateway
    // instance, trusting the same signing key as the platform.
    const { config } = app;
    const tokens = await AccessTokens.create(loadSigningKeyPem(config.auth.signingKeyPem, config.dataDir), {
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ttlMs: config.auth.accessTokenTtlMs,
    });
    http = await createHttpApp({ config, logger: silent, tokens, limits: new RateLimits(config.rateLimits) });
    module.routes(http);
    await http.listen({ host: '127.0.0.1', port: 0 });
    httpUrl = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
    user = await signUp(app, { role: 'seller' });
    actor = { userId: user.id, role: 'seller' };
  });

  afterAll(async () => {
    await http?.close();
    await receiver?.close();
    await app?.close();
  });

  beforeEach(async () => {
    // Each test starts with no endpoint enabled and nothing due, so enqueue and deliverDue
    // only see the test's own endpoints and deliveries.
    await sql`UPDATE webhook_deliveries SET status = 'failed' WHERE status = 'pending'`.execute(db);
    await sql`UPDATE webhook_endpoints SET status = 'disabled', disabled_at = now() WHERE status = 'enabled'`.execute(
      db,
    );
    receiver.received.length = 0;
    receiver.answer = () => ({ status: 200 });
  });

  it('refuses loopback, private and link-local URLs unless allow-listed', async () => {
    const strictModule = createWebhooksModule({ db, keyring, logger: silent, allowList: [] });
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://10.1.2.3/x',
      'http://169.254.169.254/x',
      'http://[::1]/',
    ]) {
      await expect(
        strictModule.webhooks.register(actor, { url, event_types: ['*'] }),
        url,
      ).rejects.toMatchObject({
        code: 'validation_failed',
        details: { fields: [{ field: 'url', code: 'non_public_address' }] },
      });
    }
    await expect(
      strictModule.webhooks.register(actor, { url: 'ftp://example.com/', event_types: ['*'] }),
    ).rejects.toMatchObject({ details: { fields: [{ code: 'unsupported_scheme' }] } });

    const created = await module.webhooks.register(actor, {
      url: 'http://127.0.0.1:9/x',
      event_types: ['payment.succeeded'],
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.status).toBe('enabled');
    await module.webhooks.remove(actor, created.id);
  });

  it('registers, lists without secrets, and deletes endpoints over HTTP', async () => {
    const created = await api<{ id: string; secret: string }>('POST', '/webhooks', user.token, {
      url: `${receiver.url}/http`,
      event_types: ['payment.succeeded', 'payment.refunded'],
    });
    expect(created.status).toBe(201);
    expect(created.body.results.secret).toMatch(/^whsec_/);

    expect(
      (
        await api('POST', '/webhooks', user.token, {
          url: `${receiver.url}/x`,
          event_types: ['payment.exploded'],
        })
      ).status,
    ).toBe(400);
    expect(
      (await api('POST', '/webhooks', user.token, { url: `${receiver.url}/x`, event_types: [] })).status,
    ).toBe(400);
    expect(
      (await api('POST', '/webhooks', user.token, { url: 'http://10.0.0.1/', event_types: ['*'], extra: 1 }))
        .status,
    ).toBe(400);

    const listed = await api<{ id: string }[]>('GET', '/webhooks', user.token);
    expect(listed.status).toBe(200);
    const mine = listed.body.results.find((e) => e.id === created.body.results.id);
    expect(mine).toMatchObject({ url: `${receiver.url}/http`, status: 'enabled' });
    expect(mine).not.toHaveProperty('secret');

    const other = await signUp(app);
    expect((await api('DELETE', `/webhooks/${created.body.results.id}`, other.token)).status).toBe(404);
    expect((await api('GET', `/webhooks/${created.body.results.id}/deliveries`, other.token)).status).toBe(
      404,
    );
    const admin = await adminOf(app);
    const all = await api<{ id: string }[]>('GET', '/webhooks', admin.token);
    expect(all.body.results.some((e) => e.id === created.body.results.id)).toBe(true);

    expect((await api('DELETE', `/webhooks/${created.body.results.id}`, user.token)).status).toBe(200);
    expect((await api('GET', `/webhooks/${created.body.results.id}/deliveries`, user.token)).status).toBe(
      404,
    );
  });

  it('enqueues nothing when the business transaction rolls back', async () => {
    const hook = await endpoint();
    await expect(
      db.transaction().execute(async (trx) => {
        await module.webhooks.enqueue(trx, { type: 'payment.succeeded', data: {}, ownerIds: [actor.userId] });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await deliveriesOf(hook.id)).toEqual([]);
    expect(await module.webhooks.deliverDue()).toBe(0);
    expect(receiver.received).toEqual([]);
  });

  it('delivers the exact payload, signed, to subscribed endpoints of the owners only', async () => {
    const hook = await endpoint(['payment.succeeded']);
    const other = await endpoint(['payment.refunded']);
    const stranger = await signUp(app);
    const strangers = await endpoint(['*'], { userId: stranger.id, role: 'buyer' });

    const { event, deliveries } = await enqueue('payment.succeeded', { id: 'pay_1', amount: '10000' });
    expect(deliveries).toBe(1);
    expect(await module.webhooks.deliverDue()).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.path).toBe(hook.path);
    expect(got.signatureValid).toBe(true);
    expect(JSON.parse(got.body)).toEqual({
      id: event.id,
      type: 'payment.succeeded',
      created: event.created,
      data: { id: 'pay_1', amount: '10000' },
    });
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['mamlaka-event-id']).toBe(event.id);
    expect(got.headers['mamlaka-event-type']).toBe('payment.succeeded');

    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    expect(delivery!.payload).toBe(got.body);
    expect(await deliveriesOf(other.id)).toEqual([]);
    expect(await module.webhooks.deliveries({ userId: stranger.id, role: 'buyer' }, strangers.id)).toEqual(
      [],
    );
  });

  it('queues a batch of events with one read of the endpoints, each to its subscribers only', async () => {
    const paid = await endpoint(['payment.succeeded']);
    const everything = await endpoint(['*']);
    const stranger = await signUp(app);
    const strangers = await endpoint(['payment.refunded'], { userId: stranger.id, role: 'buyer' });
    const ran: string[] = [];
    const events = [
      { id: randomUUID(), type: 'payment.succeeded', data: { n: 1 }, ownerIds: [actor.userId.toUpperCase()] },
      { id: randomUUID(), type: 'payment.refunded', data: { n: 2 }, ownerIds: [actor.userId, stranger.id] },
      { id: randomUUID(), type: 'order.shipped', data: { n: 3 }, ownerIds: [stranger.id] },
    ];
    await db.transaction().execute((trx) =>
      module.webhooks.enqueueBatch(trx, events, async (event, work) => {
        ran.push(event.id!);
        return work();
      }),
    );
    // The shipped order has no subscriber: nothing runs for it.
    expect(ran).toEqual([events[0]!.id, events[1]!.id]);
    const eventIds = async (endpointId: string, who = actor) =>
      (await module.webhooks.deliveries(who, endpointId, 100)).map((d) => d.event_id).sort();
    expect(await eventIds(paid.id)).toEqual([events[0]!.id]);
    expect(await eventIds(everything.id)).toEqual([events[0]!.id, events[1]!.id].sort());
    expect(await eventIds(strangers.id, { userId: stranger.id, role: 'buyer' })).toEqual([events[1]!.id]);
  });

  it('retries after a 500 with backoff and logs both attempts', async () => {
    const hook = await endpoint();
    let calls = 0;
    receiver.answer = () => ({ status: ++calls === 1 ? 500 : 200 });
    await enqueue('payment.failed', { id: 'pay_2' });

    expect(await module.webhooks.deliverDue()).toBe(1);
    let [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500 });
    expect(new Date(delivery!.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 500);
    // Not due yet: nothing is sent.
    expect(await module.webhooks.deliverDue()).toBe(0);

    await due();
    expect(await module.webhooks.deliverDue()).toBe(1);
    [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200 });
    expect(delivery!.attempt_log.map((a) => a.status_code)).toEqual([500, 200]);
    expect(receiver.received.map((r) => r.body)).toEqual([delivery!.payload, delivery!.payload]);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('clears the failure streak of an endpoint when a delivery to it succeeds', async () => {
    const hook = await endpoint();
    const streak = async () => {
      const { rows } = await sql<{ failure_streak: number; failing_since: Date | null }>`
        SELECT failure_streak, failing_since FROM webhook_endpoints WHERE id = ${hook.id}`.execute(db);
      return rows[0]!;
    };
    receiver.answer = () => ({ status: 500 });
    await enqueue('payment.failed', { id: 'pay_streak' });
    await module.webhooks.deliverDue();
    expect(await streak()).toMatchObject({ failure_streak: 1, failing_since: expect.any(Date) });

    receiver.answer = () => ({ status: 204 });
    await due();
    expect(await module.webhooks.deliverDue()).toBe(1);
    expect(await streak()).toEqual({ failure_streak: 0, failing_since: null });
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 2,
      last_status_code: 204,
      last_error: null,
    });
    expect(delivery!.delivered_at).not.toBeNull();
    expect(delivery!.attempt_log.map((a) => [a.status_code, a.error])).toEqual([
      [500, 'unexpected status 500'],
      [204, null],
    ]);
  });

  it('records nothing for a delivery that moved on while it was being sent', async () => {
    const hook = await endpoint();
    let sending: () => void = () => {};
    const sent = new Promise<void>((resolve) => (sending = resolve));
    receiver.answer = () => {
      sending();
      // Answered within the module's fetch timeout (300 ms): a delivered attempt, not a failed one.
      return { status: 200, delayMs: 100 };
    };
    await enqueue('payment.created', { id: 'pay_moved' });
    const worker = module.webhooks.deliverDue();
    await sent;
    // Its lease ran out meanwhile and another worker tried it and failed: its attempt count moved.
    await sql`UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = 502
      WHERE endpoint_id = ${hook.id}`.execute(db);
    expect(await worker).toBe(1);

    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: 502,
      delivered_at: null,
    });
    expect(delivery!.attempt_log).toEqual([]);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const hook = await endpoint();
    receiver.answer = () => ({ status: 200, delayMs: 2_000 });
    await enqueue('payment.expired', {});
    const started = Date.now();
    await module.webhooks.deliverDue();
    expect(Date.now() - started).toBeLessThan(1_500);
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect(delivery!.last_error).toMatch(/timed out/);
    expect(delivery!.attempt_log[0]!.duration_ms).toBeGreaterThanOrEqual(250);
  });

  it('does not follow redirects and counts a 3xx as a failure', async () => {
    const hook = await endpoint();
    receiver.answer = (request) =>
      request.path === hook.path
        ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } }
        : { status: 200 };
    await enqueue('payment.canceled', {});
    await module.webhooks.deliverDue();
    expect(receiver.received.map((r) => r.path)).toEqual([hook.path]);
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'pending', last_status_code: 302 });
    expect(delivery!.last_error).toMatch(/redirect/);
  });

  it('replays a delivery as a new one with the same payload', async () => {
    const hook = await endpoint();
    await enqueue('payment.refunded', { id: 'pay_3' });
    await module.webhooks.deliverDue();
    const [original] = await deliveriesOf(hook.id);

    const replay = await api('POST', `/webhooks/deliveries/${original!.id}/replay`, user.token);
    expect(replay.status).toBe(201);
    expect(replay.body.results).toMatchObject({
      status: 'pending',
      attempts: 0,
      event_id: original!.event_id,
    });
    const stranger = await signUp(app);
    expect((await api('POST', `/webhooks/deliveries/${original!.id}/replay`, stranger.token)).status).toBe(
      404,
    );

    expect(await module.webhooks.deliverDue()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect(receiver.received[1]!.signatureValid).toBe(true);
    const listed = await api<{ status: string }[]>('GET', `/webhooks/${hook.id}/deliveries`, user.token);
    expect(listed.body.results.map((d) => d.status)).toEqual(['delivered', 'delivered']);
  });

  it('disables an endpoint after persistent failure and fails what waits for it', async () => {
    const hook = await endpoint();
    receiver.answer = () => ({ status: 503 });
    await enqueue('payment.created', { n: 1 });
    await enqueue('payment.created', { n: 2 });
    // Two deliveries fail (streak 2), then one more failure crosses the limit of 3.
    await module.webhooks.deliverDue();
    await due();
    await module.webhooks.deliverDue(1);

    const [endpointRow] = (await module.webhooks.list(actor)).filter((e) => e.id === hook.id);
    expect(endpointRow).toMatchObject({ status: 'disabled', failure_streak: 3 });
    expect(endpointRow!.disabled_at).not.toBeNull();
    const deliveries = await deliveriesOf(hook.id);
    expect(deliveries.map((d) => d.status)).toEqual(['failed', 'failed']);

    expect((await enqueue('payment.created', {})).deliveries).toBe(0);
    await expect(module.webhooks.replay(actor, deliveries[0]!.id)).rejects.toMatchObject({
      code: 'endpoint_disabled',
    });
  });

  it('never delivers the same delivery twice when two workers run at once', async () => {
    const hook = await endpoint();
    receiver.answer = () => ({ status: 200, delayMs: 20 });
    for (let n = 0; n < 12; n += 1) await enqueue('payout.requested', { n });
    const second = createWebhooksModule({ db, keyring, logger: silent, allowList: ['127.0.0.1'] });
    // Three workers (two module instances) drain the queue in small batches at once, so
    // claims interleave with deliveries still in flight.
    const drain = async (worker: WebhooksModule) => {
      let total = 0;
      for (let sent = -1; sent !== 0; total += sent) sent = await worker.webhooks.deliverDue(3);
      return total;
    };
    const counts = await Promise.all([drain(module), drain(second), drain(module)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    const ids = receiver.received.map((r) => r.headers['mamlaka-event-id']);
    expect(new Set(ids).size).toBe(12);
    expect(ids).toHaveLength(12);
    const deliveries = await deliveriesOf(hook.id);
    expect(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  });

  it('keeps delivering from a loop that survives a restart of the module', async () => {
    const hook = await endpoint();
    await enqueue('payment.succeeded', { restart: true });
    // A new module instance over the same database (a restarted process) picks it up.
    const restarted = createWebhooksModule({ db, keyring, logger: silent, allowList: ['127.0.0.1'] });
    const stop = restarted.startDelivery(20);
    try {
      await expect
        .poll(async () => (await deliveriesOf(hook.id))[0]?.status, { timeout: 5_000 })
        .toBe('delivered');
    } finally {
      await stop();
    }
    expect(receiver.received).toHaveLength(1);
  });
});
