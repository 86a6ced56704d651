import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SplitDeployment, startSplitDeployment } from '../../scripts/split-deployment.js';
import { deleteStream } from '../helpers/nats.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { eventually } from '../helpers/eventually.js';
import { callApi } from '../helpers/http.js';
import { sql } from 'kysely';

/**
 * The split deployment as real processes: two gateways and two instances of each service
 * over the real PostgreSQL, Redis and NATS. Only on the real components: several processes
 * cannot share the embedded database.
 */
const real =
  testDatabase() === 'postgres' &&
  serviceUrl('TEST_NATS_URL') !== undefined &&
  serviceUrl('TEST_REDIS_URL') !== undefined;

const api = callApi;

describe.runIf(real)('the split deployment: 2 gateways, 2 of each service', () => {
  let database: TestDatabase;
  let deployment: SplitDeployment;
  const stream = `SPLIT_${Date.now()}`;
  let a: string;
  let b: string;
  const password = 'correct horse battery';

  beforeAll(async () => {
    database = await createTestDatabase();
    deployment = await startSplitDeployment({
      DATABASE_URL: database.url!,
      REDIS_URL: serviceUrl('TEST_REDIS_URL')!,
      NATS_URL: serviceUrl('TEST_NATS_URL')!,
      NATS_STREAM: stream,
      RATE_LIMIT_REDIS_PREFIX: `split:${Date.now()}`,
      RATE_LIMIT_REGISTER_PER_IP: '1000',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
      RATE_LIMIT_LOGIN_FAILURES: '3',
      OUTBOX_POLL_INTERVAL: '20ms',
      MAIL_SEND_INTERVAL: '1h',
    });
    [a, b] = deployment.gateways.map((gateway) => gateway.url) as [string, string];
  }, 180_000);
  afterAll(async () => {
    await deployment?.stop();
    await database?.drop();
    await deleteStream(serviceUrl('TEST_NATS_URL')!, stream).catch(() => {});
  }, 60_000);

  const person = (role = 'buyer') => {
    const email = `split.${role}.${Math.random().toString(36).slice(2)}@example.com`;
    return { name: `Split ${role}`, email, role, password, confirm_password: password };
  };
  async function account(url: string, role = 'buyer') {
    const body = person(role);
    const registered = await api<{ id: string }>(url, 'POST', '/users/register', { body });
    expect(registered.status).toBe(201);
    const login = await api<{ token: string }>(url, 'POST', '/users/login', {
      body: { email: body.email, password },
    });
    return { id: registered.body.results.id, email: body.email, token: login.body.results.token };
  }

  it('serves the REST API through either gateway over the services', async () => {
    const seller = await account(a, 'seller');
    const product = await api<{ id: string }>(b, 'POST', '/products', {
      token: seller.token,
      body: { name: 'Kopi Luwak', price: '150000', stock: 5 },
    });
    expect(product.status).toBe(201);
    const read = await api<{ name: string; stock: number }>(a, 'GET', `/products/${product.body.results.id}`);
    expect(read.body.results).toMatchObject({ name: 'Kopi Luwak', stock: 5 });
  });

  it('serves the web app and the routes it reads through either gateway', async () => {
    for (const url of [a, b]) {
      const page = await fetch(`${url}/account/orders`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      const asset = await fetch(`${url}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
    const buyer = await account(b, 'buyer');
    const orders = await api<unknown[]>(a, 'GET', '/orders', { token: buyer.token });
    expect(orders.status).toBe(200);
    expect(orders.body.results).toEqual([]);
  });

  it('records an audited call once, at the gateway, not again in the service behind it', async () => {
    const user = await account(a);
    expect((await api(a, 'GET', `/users/${user.id}`, { token: user.token })).status).toBe(200);
    expect(
      (await api(b, 'PATCH', '/users/me', { token: user.token, body: { name: 'Split Renamed' } })).status,
    ).toBe(200);
    const { rows } = await sql<{ action: string; target_id: string | null }>`
      SELECT action, target_id FROM audit_log WHERE actor_id = ${user.id} ORDER BY sequence`.execute(
      database.database.db,
    );
    expect(rows.map((row) => [row.action, row.target_id])).toEqual([
      ['user.profile.read', user.id],
      ['user.profile.update', null],
    ]);
  });

  it('shares rate limits between the gateways (Redis)', async () => {
    const victim = await account(a);
    const statuses: number[] = [];
    for (let n = 0; n < 4; n += 1) {
      const url = n % 2 === 0 ? a : b;
      statuses.push(
        (
          await api(url, 'POST', '/users/login', {
            body: { email: victim.email, password: 'wrong password!' },
          })
        ).status,
      );
    }
    // Three failures allowed per account in all, wherever they land; the fourth is refused.
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('holds an idempotency key across gateways: one payment, charged once', async () => {
    const seller = await account(a, 'seller');
    const buyer = await account(b);
    const product = (
      await api<{ id: string }>(a, 'POST', '/products', {
        token: seller.token,
        body: { name: 'Teh', price: '10000', stock: 10 },
      })
    ).body.results;
    await api(a, 'POST', '/wallet/top-ups', {
      token: buyer.token,
      body: { amount: '100000', currency: 'IDR', method: 'test' },
    });
    const key = `split-${Date.now()}`;
    const body = { product_id: product.id, quantity: 2, payment_method: 'wallet' };
    const [first, second] = await Promise.all([
      api<{ id: string }>(a, 'POST', '/payments', { token: buyer.token, body, key }),
      api<{ id: string }>(b, 'POST', '/payments', { token: buyer.token, body, key }),
    ]);
    const answered = [first, second].filter((reply) => reply.status === 201);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    // The other one either replays the same payment or is told the key is in flight.
    for (const reply of [first, second]) expect([201, 409]).toContain(reply.status);
    const again = await api<{ id: string }>(b, 'POST', '/payments', { token: buyer.token, body, key });
    expect(again.body.results.id).toBe(answered[0]!.body.results.id);
    const wallet = await api<{ currency: string; available: string }[]>(a, 'GET', '/wallet', {
      token: buyer.token,
    });
    expect(wallet.body.results.find((w) => w.currency === 'IDR')?.available).toBe('80000');
  });

  it('relays each event once: one relay leads, every event published and handled once', async () => {
    const db = database.database.db;
    const before = await countEvents();
    for (let n = 0; n < 10; n += 1) await account(n % 2 === 0 ? a : b);
    await eventually(
      async () =>
        (
          await sql<{
            n: string;
          }>`SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL`.execute(db)
        ).rows[0]!.n,
      (n) => Number(n) === 0,
      20_000,
    );
    const after = await countEvents();
    expect(after.events - before.events).toBeGreaterThanOrEqual(10);
    await eventually(countEvents, (now) => now.handled === now.events, 20_000);
    const leases = await sql<{ holder: string }>`SELECT holder FROM job_leases WHERE name = 'outbox'`.execute(
      db,
    );
    expect(leases.rows).toHaveLength(1);
    const mails = await sql<{ n: string; d: string }>`
      SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM mail_messages WHERE kind = 'welcome'`.execute(
      db,
    );
    expect(Number(mails.rows[0]!.n)).toBe(Number(mails.rows[0]!.d));

    async function countEvents() {
      const row = (
        await sql<{ events: string; handled: string }>`
          SELECT (SELECT count(*) FROM outbox_events WHERE type = 'user.registered') AS events,
                 (SELECT count(*) FROM handled_events h JOIN outbox_events o ON o.id = h.event_id
                   WHERE h.consumer = 'notifications' AND o.type = 'user.registered') AS handled`.execute(db)
      ).rows[0]!;
      return { events: Number(row.events), handled: Number(row.handled) };
    }
  });

  it('loses no acknowledged request when any one instance is killed', async () => {
    const seller = await account(a, 'seller');
    const product = (
      await api<{ id: string }>(a, 'POST', '/products', {
        token: seller.token,
        body: { name: 'Gula Aren', price: '1000', stock: 100_000 },
      })
    ).body.results;
    const buyers = await Promise.all([account(a), account(b), account(a), account(b)]);
    for (const buyer of buyers)
      await api(a, 'POST', '/wallet/top-ups', {
        token: buyer.token,
        body: { amount: '100000000', currency: 'IDR', method: 'test' },
      });

    const acknowledged = new Set<string>();
    let stop = false;
    const load = buyers.map(async (buyer, n) => {
      for (let i = 0; !stop; i += 1) {
        const key = `kill-${n}-${i}`;
        // A client retries a failed call with the same key, on the other gateway.
        for (let attempt = 0; attempt < 20 && !stop; attempt += 1) {
          const url = (i + attempt) % 2 === 0 ? a : b;
          try {
            const reply = await api<{ id: string }>(url, 'POST', '/payments', {
              token: buyer.token,
              key,
              body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
            });
            if (reply.status === 201) {
              acknowledged.add(reply.body.results.id);
              break;
            }
          } catch {
            // connection refused or reset: that gateway is gone; try the other
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    });
    const victims = ['gateway', 'users', 'catalog', 'payments', 'notifications'] as const;
    for (const role of victims) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      const [victim] = deployment.byRole(role);
      await victim!.kill();
      await new Promise((resolve) => setTimeout(resolve, 700));
      await victim!.start();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all(load);
    expect(acknowledged.size).toBeGreaterThan(20);
    const stored = await sql<{ id: string; status: string }>`
      SELECT id, status FROM payments WHERE id = ANY(${[...acknowledged]}::uuid[])`.execute(
      database.database.db,
    );
    expect(stored.rows).toHaveLength(acknowledged.size);
    expect(stored.rows.every((row) => row.status === 'succeeded')).toBe(true);
  }, 180_000);
});
