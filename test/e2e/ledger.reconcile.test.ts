import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf, market, type PaymentJson } from '../helpers/payments.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

interface CheckJson {
  ok: boolean;
  violations: string[];
  violation_count: number;
  truncated: boolean;
  warnings: string[];
  counts: Record<string, number>;
}

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '1000' });
  admin = await adminOf(app);
});
afterAll(() => app.close());

const check = async (query = '') => {
  const res = await app.api<CheckJson>('GET', `/admin/ledger/check${query}`, { token: admin.token });
  if (res.status !== 200) throw new Error(`check answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.results;
};
const pay = (token: string, productId: string) =>
  app.api<PaymentJson>('POST', '/payments', {
    token,
    body: { product_id: productId, quantity: 1, payment_method: 'wallet' },
  });
// The refund's answer is becoming a refund object: only its status code is relied on here.
const refund = (token: string, paymentId: string, amount?: string) =>
  app.api('POST', `/payments/${paymentId}/refunds`, {
    token,
    body: { reason: 'reconciliation test', ...(amount ? { amount } : {}) },
  });
const raw = (query: ReturnType<typeof sql>) => query.execute(app.db.database.db);

/** `count` wallet payments of 10,000 IDR, each refunded 3,000 once: the cast of most tests here. */
async function partlyRefunded(count: number) {
  const { seller, buyer, product } = await market(app, { price: '10000', stock: 100, funds: '1000000' });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const paid = await pay(buyer.token, product.id);
    expect(paid.status).toBe(201);
    expect((await refund(seller.token, paid.body.results.id, '3000')).status).toBeLessThan(300);
    ids.push(paid.body.results.id);
  }
  return ids;
}

describe('GET /admin/ledger/check over payments and refunds', () => {
  it('reports a consistent ledger as ok, counting the payments and refunds it read', async () => {
    const ids = await partlyRefunded(3);
    const report = await check();
    expect(report).toMatchObject({ ok: true, violations: [], violation_count: 0, truncated: false });
    expect(report.warnings).toEqual([]);
    expect(report.counts.payments).toBeGreaterThanOrEqual(ids.length);
    expect(report.counts.refunds).toBeGreaterThanOrEqual(ids.length);
    expect(report.counts.accounts).toBeGreaterThan(0);
    expect((await check('?gateway=false&max_violations=5')).counts.gateway_compared).toBe(0);
  });

  it('finds a payment whose refunded amount is not the sum of its succeeded refunds', async () => {
    const [id] = await partlyRefunded(1);
    await raw(sql`UPDATE payments SET refunded_minor = refunded_minor + 1 WHERE id = ${id}`);
    try {
      const report = await check();
      expect(report).toMatchObject({ ok: false, violation_count: 1, truncated: false });
      expect(report.violations).toEqual([
        `payment ${id} (partially_refunded) says 3001 refunded, its succeeded refunds add up to 3000`,
      ]);
    } finally {
      await raw(sql`UPDATE payments SET refunded_minor = refunded_minor - 1 WHERE id = ${id}`);
    }
    expect((await check()).ok).toBe(true);
  });

  it('finds a refund whose status disagrees with its ledger transaction', async () => {
    const [id] = await partlyRefunded(1);
    const { rows } = await raw(sql`SELECT id FROM refunds WHERE payment_id = ${id}`);
    const refundId = (rows[0] as { id: string }).id;
    // Marked failed, while the ledger posted its money back: and the payment's sum no longer adds up.
    await raw(sql`UPDATE refunds SET status = 'failed', failure_code = 'forged' WHERE id = ${refundId}`);
    try {
      const report = await check();
      expect(report.violation_count).toBe(2);
      expect(report.violations).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            new RegExp(`refund ${refundId} \\(failed\\) of payment ${id} has a posted ledger transaction`),
          ),
          `payment ${id} (partially_refunded) says 3000 refunded, its succeeded refunds add up to 0`,
        ]),
      );
    } finally {
      await raw(sql`UPDATE refunds SET status = 'succeeded', failure_code = NULL WHERE id = ${refundId}`);
    }
  });

  it('lists at most max_violations and still counts every violation', async () => {
    const ids = await partlyRefunded(5);
    await raw(sql`UPDATE payments SET refund_pending_minor = 7 WHERE id = ANY(${ids}::uuid[])`);
    try {
      const two = await check('?max_violations=2');
      expect(two).toMatchObject({ ok: false, violation_count: 5, truncated: true });
      expect(two.violations).toHaveLength(2);
      for (const line of two.violations) expect(line).toMatch(/says 7 pending refund, .* add up to 0/);
      const none = await check('?max_violations=0&gateway=false');
      expect(none).toMatchObject({ ok: false, violations: [], violation_count: 5, truncated: true });
      const all = await check();
      expect(all).toMatchObject({ violation_count: 5, truncated: false });
      expect(all.violations).toHaveLength(5);
    } finally {
      await raw(sql`UPDATE payments SET refund_pending_minor = 0 WHERE id = ANY(${ids}::uuid[])`);
    }
    for (const bad of ['?max_violations=10001', '?max_violations=-1', '?max_violations=two']) {
      const res = await app.api('GET', `/admin/ledger/check${bad}`, { token: admin.token });
      expect(res.status).toBe(400);
    }
  });

  it('never reports a violation while checkouts and refunds commit around it', async () => {
    const { seller, product } = await market(app, { price: '10000', stock: 1000, funds: '0' });
    const buyers = await Promise.all(
      Array.from({ length: 4 }, async () => (await market(app, { funds: '10000000' })).buyer),
    );
    const rounds = 6;
    let writing = true;
    const statuses: number[] = [];
    const writers = Promise.all(
      buyers.map(async (buyer) => {
        for (let i = 0; i < rounds; i++) {
          const paid = await pay(buyer.token, product.id);
          statuses.push(paid.status);
          if (paid.status !== 201) continue;
          statuses.push((await refund(seller.token, paid.body.results.id, '2500')).status);
          statuses.push((await refund(seller.token, paid.body.results.id)).status);
        }
      }),
    ).finally(() => (writing = false));
    const reports: CheckJson[] = [];
    // Checks run back to back for as long as the writers do, so many overlap a commit.
    while (writing) reports.push(await check('?gateway=false'));
    await writers;
    reports.push(await check('?gateway=false'));
    expect(statuses).toHaveLength(buyers.length * rounds * 3);
    for (const status of statuses) expect(status).toBeLessThan(300);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.flatMap((report) => report.violations)).toEqual([]);
    expect(reports.every((report) => report.ok)).toBe(true);
    expect(reports.at(-1)!.counts.refunds).toBeGreaterThanOrEqual(buyers.length * rounds * 2);
  });
});
