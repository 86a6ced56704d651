import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf, market, type PaymentJson } from '../helpers/payments.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;
let cast: Awaited<ReturnType<typeof market>>;
const made: PaymentJson[] = [];

const search = (query: string, token = admin.token) =>
  app.api<PaymentJson[]>('GET', `/admin/payments${query}`, { token });

beforeAll(async () => {
  app = await startTestApp();
  admin = await adminOf(app);
  cast = await market(app, { price: '1000', stock: 50 });
  for (const method of ['wallet', 'manual', 'wallet', 'manual', 'wallet']) {
    const res = await app.api<PaymentJson>('POST', '/payments', {
      token: cast.buyer.token,
      body: { product_id: cast.product.id, quantity: 1, payment_method: method },
    });
    made.unshift(res.body.results);
  }
});
afterAll(() => app?.close());

describe('GET /admin/payments', () => {
  it('lists every payment newest first, in the shape GET /payments answers', async () => {
    const { status, body } = await search('');
    expect(status).toBe(200);
    expect(body.results.map((p) => p.id)).toEqual(made.map((p) => p.id));
    const mine = await app.api<PaymentJson>('GET', `/payments/${made[0]!.id}`, { token: cast.buyer.token });
    expect(body.results[0]).toEqual(mine.body.results);
  });

  it('finds a payment by its whole code, or by the start of it in any case', async () => {
    const target = made[2]!;
    expect((await search(`?code=${target.payment_code}`)).body.results.map((p) => p.id)).toEqual([target.id]);
    const prefix = target.payment_code.slice(0, 7).toLowerCase();
    const found = (await search(`?code=${prefix}`)).body.results;
    expect(found.map((p) => p.id)).toContain(target.id);
    expect(found.every((p) => p.payment_code.startsWith(prefix.toUpperCase()))).toBe(true);
    expect((await search('?code=GC-0000-0000-000X')).status).toBe(400);
  });

  it('filters by status and pages with a cursor', async () => {
    const pending = (await search('?status=pending')).body.results;
    expect(pending.map((p) => p.id)).toEqual(made.filter((p) => p.status === 'pending').map((p) => p.id));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.results.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.results.map((p) => p.id));
      cursor = (page.body.meta.pagination as { next_cursor: string | null }).next_cursor;
    } while (cursor);
    expect(seen).toEqual(made.map((p) => p.id));
  });

  it('refuses bad input with 400 and a reason, and everyone but admins', async () => {
    const bad = await search('?code=%25%25');
    expect([bad.status, bad.body.meta.errors]).toEqual([
      400,
      [expect.objectContaining({ field: 'code', code: 'invalid_payment_code' })],
    ]);
    expect((await search('?status=lost')).status).toBe(400);
    expect((await search('?cursor=nope')).status).toBe(400);
    expect((await search('?limit=0')).status).toBe(400);
    expect((await search('', cast.seller.token)).status).toBe(403);
    expect((await search('', cast.buyer.token)).status).toBe(403);
    expect((await app.api('GET', '/admin/payments')).status).toBe(401);
  });
});
