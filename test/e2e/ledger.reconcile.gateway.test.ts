import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf, market, type PaymentJson } from '../helpers/payments.js';
import { SANDBOX_SERVER_KEY, startMidtransWorld } from '../helpers/midtrans.js';
import type { TestApp } from '../helpers/test-app.js';

interface CheckJson {
  ok: boolean;
  violations: string[];
  violation_count: number;
  warnings: string[];
  counts: Record<string, number>;
}

let world: Awaited<ReturnType<typeof startMidtransWorld>>;
let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  world = await startMidtransWorld();
  app = world.app;
  admin = await adminOf(app);
});
afterAll(async () => {
  await world?.close();
});

const check = async (query = '') => {
  const res = await app.api<CheckJson>('GET', `/admin/ledger/check${query}`, { token: admin.token });
  expect(res.status).toBe(200);
  return { message: res.body.meta.message, ...res.body.results };
};

/** A Midtrans payment of 10,000 IDR, settled, then refunded `amount` through the platform. */
async function paidAndRefunded(amount: string) {
  const { seller, buyer, product } = await market(app, { price: '10000', funds: '0' });
  const created = await app.api<PaymentJson>('POST', '/payments', {
    token: buyer.token,
    body: { product_id: product.id, quantity: 1, payment_method: 'midtrans' },
  });
  expect(created.status).toBe(201);
  await world.sandbox.pay(created.body.results.id, 'settlement');
  const refunded = await app.api('POST', `/payments/${created.body.results.id}/refunds`, {
    token: seller.token,
    body: { amount, reason: 'damaged' },
  });
  expect(refunded.status).toBeLessThan(300);
  return created.body.results.id;
}

describe('GET /admin/ledger/check against Midtrans', () => {
  it('asks Midtrans what it refunded and finds nothing wrong when it agrees', async () => {
    await paidAndRefunded('4000');
    const report = await check();
    expect(report).toMatchObject({ ok: true, violations: [], warnings: [], message: 'ledger reconciled' });
    expect(report.counts.gateway_compared).toBeGreaterThanOrEqual(1);
    expect((await check('?gateway=false')).counts.gateway_compared).toBe(0);
  });

  it('reports a refund Midtrans made that the platform never booked', async () => {
    const id = await paidAndRefunded('3000');
    // As if someone refunded 2,000 more in the Midtrans dashboard.
    const outside = await fetch(`${world.sandboxUrl}/v2/${id}/refund`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${SANDBOX_SERVER_KEY}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ refund_key: `dashboard-${id}`, amount: 2000, reason: 'by hand' }),
    });
    expect(outside.status).toBe(200);
    const report = await check();
    expect(report).toMatchObject({ ok: false, violation_count: 1 });
    expect(report.violations).toEqual([
      `payment ${id} (midtrans): the gateway says 5000 refunded, our succeeded refunds add up to 3000 (0 pending)`,
    ]);
    // The database part alone still holds: the gateway comparison is what found it.
    expect(await check('?gateway=false')).toMatchObject({ ok: true, violation_count: 0 });
  });

  it('warns, and does not call it a match, when Midtrans cannot be reached', async () => {
    await world.sandbox.close();
    const report = await check();
    expect(report).toMatchObject({ ok: true, violation_count: 0 });
    expect(report.message).toBe('ledger reconciled, but some checks could not be made');
    expect(report.counts.gateway_compared).toBe(0);
    expect(report.warnings).toEqual([
      expect.stringMatching(/^midtrans did not answer for 2 payment\(s\) .* not compared$/),
    ]);
  });
});
