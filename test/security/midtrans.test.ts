import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredNotification } from '../../src/modules/midtrans/midtrans.notifications.js';
import type { MidtransSandbox } from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import { midtransSignature } from '../../src/modules/midtrans/sandbox/signature.js';
import { SANDBOX_SERVER_KEY, startMidtransWorld } from '../helpers/midtrans.js';
import { adminOf, market, type PaymentJson } from '../helpers/payments.js';
import type { TestApp } from '../helpers/test-app.js';

type World = Awaited<ReturnType<typeof startMidtransWorld>>;
let world: World;
let app: TestApp;
let sandbox: MidtransSandbox;
let admin: { token: string };

beforeAll(async () => {
  world = await startMidtransWorld();
  ({ app, sandbox } = world);
  admin = await adminOf(app);
});
afterAll(async () => {
  await world?.close();
});

/** A well-formed notification signed with a key that is not the server's. */
const forged = (extra: Record<string, unknown> = {}) => {
  const orderId = randomUUID();
  return {
    order_id: orderId,
    status_code: '200',
    gross_amount: '10000.00',
    transaction_status: 'settlement',
    signature_key: midtransSignature(orderId, '200', '10000.00', 'not the server key'),
    ...extra,
  };
};

const post = (target: TestApp, body: unknown) =>
  fetch(`${target.url}/payments/midtrans/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (res) => ({
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { meta: { code?: string } },
  }));

interface ListMeta {
  forged_notifications: { total: number; last_received_at: string | null; samples_kept: number };
}
const listed = async (query = '') => {
  const res = await app.api<StoredNotification[]>('GET', `/admin/midtrans/notifications${query}`, {
    token: admin.token,
  });
  expect(res.status).toBe(200);
  return { rows: res.body.results, meta: res.body.meta as unknown as ListMeta };
};

const stored = async () => {
  const { rows } = await sql<{ forged: string; biggest: string | null }>`
    SELECT count(*) FILTER (WHERE NOT signature_valid) AS forged,
           max(octet_length(coalesce(raw::text, '')) + octet_length(coalesce(raw_sample, ''))) AS biggest
      FROM midtrans_notifications`.execute(app.db.database.db);
  return { forged: Number(rows[0]!.forged), biggestBytes: Number(rows[0]!.biggest ?? 0) };
};

describe('the Midtrans notification endpoint under abuse', () => {
  it('refuses a body above 16 KB with 413 before storing or counting anything', async () => {
    const before = await stored();
    const forgedBefore = (await listed()).meta.forged_notifications.total;
    const huge = forged({ padding: 'x'.repeat(500_000) });
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(app, huge)));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(413));
    expect(answers[0]!.body.meta.code).toBe('body_too_large');
    expect(await stored()).toEqual(before);
    expect((await listed()).meta.forged_notifications.total).toBe(forgedBefore);
  });

  it('counts a forged notification and keeps only a sample of at most 1 KB of it', async () => {
    const before = (await listed()).meta.forged_notifications.total;
    const notification = forged({ padding: 'é'.repeat(6_000) });
    const res = await post(app, notification);
    expect(res.status).toBe(401);
    expect(res.body.meta.code).toBe('invalid_signature');

    const { rows, meta } = await listed(`?order_id=${notification.order_id}`);
    expect(meta.forged_notifications.total).toBe(before + 1);
    expect(meta.forged_notifications.last_received_at).not.toBeNull();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ signature_valid: false, outcome: 'rejected_signature', raw: null });
    const sample = rows[0]!.raw_sample!;
    expect(Buffer.byteLength(sample, 'utf8')).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(sample, 'utf8')).toBeGreaterThan(1000);
    expect(JSON.stringify(notification).startsWith(sample)).toBe(true);
    expect((await stored()).biggestBytes).toBeLessThan(4096);
  });

  it('keeps samples of the newest 100 forgeries only, while counting every one', async () => {
    const before = (await listed()).meta.forged_notifications.total;
    const sent: string[] = [];
    for (let batch = 0; batch < 13; batch++) {
      const bodies = Array.from({ length: 10 }, () => forged({ padding: 'y'.repeat(10_000) }));
      sent.push(...bodies.map((body) => body.order_id));
      const answers = await Promise.all(bodies.map((body) => post(app, body)));
      expect(answers.every((a) => a.status === 401)).toBe(true);
    }
    const { rows, meta } = await listed('?outcome=rejected_signature&limit=100');
    expect(meta.forged_notifications).toMatchObject({ total: before + 130, samples_kept: 100 });
    expect((await stored()).forged).toBe(100);
    // The ones left are among the newest sent.
    expect(rows.every((row) => sent.slice(-110).includes(row.order_id))).toBe(true);
  });

  it('still stores genuine notifications whole, with what was made of them', async () => {
    const { buyer, product } = await market(app, { funds: '0' });
    const created = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1, payment_method: 'midtrans' },
    });
    expect(created.status).toBe(201);
    await sandbox.pay(created.body.results.id, 'settlement');
    const { rows } = await listed(`?order_id=${created.body.results.id}`);
    const applied = rows.find((row) => row.outcome === 'applied');
    expect(applied).toMatchObject({ signature_valid: true, raw_sample: null });
    expect(applied!.raw).toMatchObject({
      order_id: created.body.results.id,
      transaction_status: 'settlement',
    });
  });

  it('answers 400 to a NUL character in order_id, signed or not, and stores nothing', async () => {
    const before = await stored();
    const orderId = `${randomUUID()}\u0000`;
    const signed = {
      order_id: orderId,
      status_code: '200',
      gross_amount: '10000.00',
      transaction_status: 'settlement',
      signature_key: midtransSignature(orderId, '200', '10000.00', SANDBOX_SERVER_KEY),
    };
    expect((await post(app, signed)).status).toBe(400);
    expect((await post(app, { ...signed, signature_key: 'ab'.repeat(64) })).status).toBe(400);
    expect(await stored()).toEqual(before);
  });
});

describe('the Midtrans notification endpoint’s rate limit', () => {
  let limited: World;
  beforeAll(async () => {
    limited = await startMidtransWorld({ RATE_LIMIT_MIDTRANS_PER_IP: '50' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 with Retry-After once one address has spent its budget', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => post(limited.app, forged())));
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(50);
    expect(refused).toHaveLength(150);
    expect(refused[0]!.body.meta.code).toBe('rate_limited');
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('is generous by default: 600 a minute per address', () => {
    expect(app.config.rateLimits.midtransPerIp).toBe(600);
    expect(app.config.rateLimits.midtransWindowMs).toBe(60_000);
  });
});
