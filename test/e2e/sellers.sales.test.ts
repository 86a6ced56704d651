import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct } from '../helpers/catalog.js';
import { adminOf, market, type PaymentJson } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

interface Figures {
  orders: number;
  units: number;
  gross: string;
  fees: string;
  net: string;
  refunded: string;
}
interface Report {
  from: string;
  to: string;
  interval: string;
  series: { currency: string; totals: Figures; buckets: (Figures & { start: string })[] }[];
}

let app: TestApp;
let cast: Awaited<ReturnType<typeof market>>;
const zero: Figures = { orders: 0, units: 0, gross: '0', fees: '0', net: '0', refunded: '0' };
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

const report = (query = '', token = cast.seller.token) =>
  app.api<Report>('GET', `/sellers/me/sales${query}`, { token });
const buy = async (body: Record<string, unknown>, path = '/payments') => {
  const res = await app.api<PaymentJson>('POST', path, { token: cast.buyer.token, body });
  expect(res.status).toBe(201);
  return res.body.results;
};

beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '1000' });
  cast = await market(app, { price: '10000', stock: 50, funds: '1000000' });
  const other = await signUp(app, { role: 'seller' });
  const theirs = await createProduct(app, other.token, { price: '7000', stock: 10 });

  // Today: 2 units paid; 3 units paid then 5000 refunded; 1 unit pending (not counted);
  // an order with another seller's line (only ours counts, the refund split by share).
  await buy({ product_id: cast.product.id, quantity: 2, payment_method: 'wallet' });
  const refunded = await buy({ product_id: cast.product.id, quantity: 3, payment_method: 'wallet' });
  const refund = await app.api('POST', `/payments/${refunded.id}/refunds`, {
    token: cast.seller.token,
    body: { amount: '5000', reason: 'late' },
  });
  expect(refund.status).toBe(201);
  await buy({ product_id: cast.product.id, quantity: 1, payment_method: 'manual' });
  const mixed = await buy(
    {
      items: [
        { product_id: cast.product.id, quantity: 1 },
        { product_id: theirs.id, quantity: 1 },
      ],
      payment_method: 'wallet',
    },
    '/orders',
  );
  // An order of two sellers is refunded by an admin.
  const fullRefund = await app.api('POST', `/payments/${mixed.id}/refunds`, {
    token: (await adminOf(app)).token,
    body: { reason: 'all of it' },
  });
  expect(fullRefund.status).toBe(201);
  // Three days ago: one unit, moved back in time as an old sale would be.
  const old = await buy({ product_id: cast.product.id, quantity: 1, payment_method: 'wallet' });
  await sql`UPDATE payments SET created_at = now() - interval '3 days' WHERE id = ${old.id}`.execute(
    app.db.database.db,
  );
});
afterAll(() => app?.close());

describe('GET /sellers/me/sales', () => {
  it('sums the last 30 days per day, zeros where nothing sold, counting only paid orders and only the seller’s lines', async () => {
    const res = await report();
    expect(res.status).toBe(200);
    const { series, interval, from, to } = res.body.results;
    expect(interval).toBe('day');
    expect([from.slice(0, 10), to.slice(0, 10)]).toEqual([day(-29), day(1)]);
    expect(series).toHaveLength(1);
    const [idr] = series;
    expect(idr!.currency).toBe('IDR');
    expect(idr!.buckets.map((b) => b.start)).toEqual(Array.from({ length: 30 }, (_, i) => day(i - 29)));
    // 2 + 3 + 1 units at 10000; 5000 of the 30000 refunded; the mixed order refunded whole,
    // 10000 of its 17000 being ours.
    expect(idr!.buckets.at(-1)).toEqual({
      start: day(0),
      orders: 3,
      units: 6,
      gross: '60000',
      fees: '6000',
      net: '54000',
      refunded: '15000',
    });
    expect(idr!.buckets.at(-4)).toMatchObject({ start: day(-3), orders: 1, units: 1, gross: '10000' });
    expect(idr!.buckets.filter((b) => b.orders === 0)).toHaveLength(28);
    expect(idr!.buckets[0]).toEqual({ start: day(-29), ...zero });
    expect(idr!.totals).toEqual({
      orders: 4,
      units: 7,
      gross: '70000',
      fees: '7000',
      net: '63000',
      refunded: '15000',
    });
  });

  it('buckets by week and month, and takes a range of dates or date-times', async () => {
    const weeks = (await report(`?from=${day(-20)}&to=${day(0)}&interval=week`)).body.results.series[0]!;
    expect(weeks.buckets.length).toBeGreaterThanOrEqual(3);
    expect(weeks.buckets.every((b) => new Date(`${b.start}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    expect(weeks.totals.units).toBe(7);
    const months = (await report(`?from=${day(-2)}&interval=month`)).body.results.series[0]!;
    expect(months.totals.units).toBe(6);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const lastHour = (await report(`?from=${since}&to=${new Date(Date.now() + 60_000).toISOString()}`)).body
      .results;
    expect(lastHour.series[0]!.totals).toMatchObject({ orders: 3, units: 6 });
  });

  it('gives a seller with no sales a zero series, and shows no one else’s sales', async () => {
    const newcomer = await signUp(app, { role: 'seller' });
    const { series } = (await report('?interval=week', newcomer.token)).body.results;
    expect(series).toHaveLength(1);
    expect(series[0]!.totals).toEqual(zero);
    expect(series[0]!.buckets.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses bad ranges with 400 and a reason, and everyone but sellers', async () => {
    const reason = async (query: string) => {
      const res = await report(query);
      return [res.status, (res.body.meta.errors as { field: string; code: string }[] | undefined)?.[0]];
    };
    expect(await reason('?from=2026-02-30')).toEqual([
      400,
      expect.objectContaining({ field: 'from', code: 'invalid_date' }),
    ]);
    expect(await reason('?to=tomorrow')).toEqual([
      400,
      expect.objectContaining({ field: 'to', code: 'invalid_date' }),
    ]);
    expect(await reason(`?from=${day(0)}&to=${day(-1)}`)).toEqual([
      400,
      expect.objectContaining({ field: 'from', code: 'invalid_range' }),
    ]);
    expect(await reason('?from=2020-01-01&to=2021-06-01')).toEqual([
      400,
      expect.objectContaining({ field: 'to', code: 'range_too_long' }),
    ]);
    expect((await report('?interval=hour')).status).toBe(400);
    expect((await report('?tz=UTC')).status).toBe(400);
    expect((await report('', cast.buyer.token)).status).toBe(403);
    expect((await app.api('GET', '/sellers/me/sales')).status).toBe(401);
  });
});
