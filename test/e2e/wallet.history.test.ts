import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf, market, type PaymentJson, type RefundJson, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

interface Line {
  id: string;
  transaction_id: string;
  kind: string;
  description: string;
  reference_type: string;
  reference_id: string;
  amount: string;
  currency: string;
  status: string;
  balance: string;
  balance_after: string;
  created_at: string;
}
interface Payout {
  id: string;
  seller_id: string;
  amount: string;
  currency: string;
  status: string;
  created_at: string;
  resolved_at: string | null;
}
interface Pagination {
  limit: number;
  next_cursor: string | null;
  has_more: boolean;
}

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;
let cast: Awaited<ReturnType<typeof market>>;
let payment: PaymentJson;
let refund: RefundJson;
let topUpId: string;
const payouts: Record<'paid' | 'canceled' | 'pending', string> = { paid: '', canceled: '', pending: '' };

const list = async <T>(token: string | undefined, path: string) => {
  const res = await app.api<T[]>('GET', path, { token });
  return { ...res, pagination: res.body.meta.pagination as Pagination | undefined };
};

/** Every page of a list, following next_cursor. */
async function allPages<T>(token: string, path: string, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const query: string = `${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: Awaited<ReturnType<typeof list<T>>> = await list<T>(token, path + query);
    expect(page.status).toBe(200);
    pages.push(page.body.results);
    cursor = page.pagination!.next_cursor;
    expect(page.pagination!.has_more).toBe(cursor !== null);
  } while (cursor);
  return pages;
}

async function requestPayout(amount: string) {
  const res = await app.api<{ id: string }>('POST', '/wallet/payouts', {
    token: cast.seller.token,
    body: { amount, currency: 'IDR' },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(res.status).toBe(201);
  return res.body.results.id;
}

beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '1000' });
  admin = await adminOf(app);
  cast = await market(app, { price: '10000', funds: '0' });
  const top = await app.api<{ id: string }>('POST', '/wallet/top-ups', {
    token: cast.buyer.token,
    body: { amount: '100000', currency: 'IDR', method: 'test' },
  });
  topUpId = top.body.results.id;
  payment = (
    await app.api<PaymentJson>('POST', '/payments', {
      token: cast.buyer.token,
      body: { product_id: cast.product.id, quantity: 2, payment_method: 'wallet' },
    })
  ).body.results;
  refund = (
    await app.api<RefundJson>('POST', `/payments/${payment.id}/refunds`, {
      token: cast.seller.token,
      body: { amount: '5000', reason: 'one arrived torn' },
    })
  ).body.results;
  payouts.paid = await requestPayout('1000');
  payouts.canceled = await requestPayout('2000');
  payouts.pending = await requestPayout('3000');
  for (const [id, action] of [
    [payouts.paid, 'complete'],
    [payouts.canceled, 'cancel'],
  ] as const) {
    const res = await app.api('POST', `/admin/payouts/${id}/${action}`, {
      token: admin.token,
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(200);
  }
});
afterAll(() => app?.close());

describe('GET /wallet/transactions', () => {
  it('lists a buyer’s top-up, purchase and refund newest first, each with its reference and balance after', async () => {
    const { body, pagination } = await list<Line>(cast.buyer.token, '/wallet/transactions');
    expect(pagination).toEqual({ limit: 20, next_cursor: null, has_more: false });
    const lines = body.results.map((l) => [
      l.description,
      l.reference_type,
      l.reference_id,
      l.amount,
      l.status,
    ]);
    expect(lines).toEqual([
      ['Refund received', 'refund', refund.id, '5000', 'posted'],
      ['Refund received', 'refund', refund.id, '5000', 'settled'],
      ['Purchase', 'payment', payment.id, '-20000', 'posted'],
      ['Top-up', 'top_up', topUpId, '100000', 'posted'],
    ]);
    expect(body.results.map((l) => l.balance_after)).toEqual(['85000', '80000', '80000', '100000']);
    expect(body.results.map((l) => l.balance)).toEqual(['available', 'pending', 'available', 'available']);
    expect(body.results[0]!.balance_after).toBe((await walletOf(app, cast.buyer.token)).available);
    const ids = body.results.map((l) => BigInt(l.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);
  });

  it('shows the seller the sale net of fees, the refund given back, and payouts requested and paid', async () => {
    const lines = (await list<Line>(cast.seller.token, '/wallet/transactions')).body.results;
    expect(lines.map((l) => [l.description, l.reference_id, l.amount, l.status, l.balance_after])).toEqual([
      // Paid after all three were requested: its settlement is the newest line.
      ['Payout paid', payouts.paid, '-1000', 'posted', '12500'],
      ['Payout requested', payouts.pending, '-3000', 'pending', '13500'],
      ['Payout requested', payouts.canceled, '-2000', 'voided', '13500'],
      ['Payout requested', payouts.paid, '-1000', 'settled', '13500'],
      ['Refund given', refund.id, '-4500', 'posted', '13500'],
      ['Refund given', refund.id, '-4500', 'settled', '18000'],
      ['Sale', payment.id, '18000', 'posted', '18000'],
    ]);
    // The balance after the newest line is the posted balance; the pending payout is held on top.
    const wallet = await walletOf(app, cast.seller.token);
    expect(wallet).toMatchObject({ available: '9500', held: '3000' });
  });

  it('pages with a cursor that neither skips nor repeats, whatever the page size', async () => {
    const whole = (await list<Line>(cast.seller.token, '/wallet/transactions')).body.results;
    for (const limit of [1, 2, 3, 7]) {
      const pages = await allPages<Line>(cast.seller.token, '/wallet/transactions', limit);
      expect(pages.flat()).toEqual(whole);
      expect(pages.every((page) => page.length <= limit)).toBe(true);
    }
  });

  it('filters by currency and shows nobody else’s entries', async () => {
    expect((await list<Line>(cast.buyer.token, '/wallet/transactions?currency=usd')).body.results).toEqual(
      [],
    );
    expect(
      (await list<Line>(cast.buyer.token, '/wallet/transactions?currency=IDR')).body.results,
    ).toHaveLength(4);
    const stranger = await signUp(app);
    expect((await list<Line>(stranger.token, '/wallet/transactions')).body.results).toEqual([]);
    expect((await list<Line>(admin.token, '/wallet/transactions')).body.results).toEqual([]);
  });

  it('refuses bad input with 400 and a reason, and strangers with 401', async () => {
    const code = async (path: string) => {
      const res = await list<Line>(cast.buyer.token, path);
      return [res.status, res.body.meta.code];
    };
    expect(await code('/wallet/transactions?cursor=bogus')).toEqual([400, 'validation_failed']);
    const res = await list<Line>(cast.buyer.token, '/wallet/transactions?cursor=bogus');
    expect(res.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'cursor', code: 'invalid_cursor' }),
    ]);
    expect((await code('/wallet/transactions?limit=0'))[0]).toBe(400);
    expect((await code('/wallet/transactions?limit=101'))[0]).toBe(400);
    expect((await code('/wallet/transactions?currency=XXX'))[0]).toBe(400);
    expect((await code('/wallet/transactions?sort=asc'))[0]).toBe(400);
    expect((await list<Line>(undefined, '/wallet/transactions')).status).toBe(401);
  });
});

describe('GET /wallet/payouts', () => {
  it('lists the seller’s payouts newest first with their status', async () => {
    const { body } = await list<Payout>(cast.seller.token, '/wallet/payouts');
    expect(body.results.map((p) => [p.id, p.amount, p.currency, p.status, p.seller_id])).toEqual([
      [payouts.pending, '3000', 'IDR', 'pending', cast.seller.id],
      [payouts.canceled, '2000', 'IDR', 'canceled', cast.seller.id],
      [payouts.paid, '1000', 'IDR', 'paid', cast.seller.id],
    ]);
    expect(body.results[0]!.resolved_at).toBeNull();
    expect(body.results[2]!.resolved_at).toEqual(expect.any(String));
    expect((await allPages<Payout>(cast.seller.token, '/wallet/payouts', 1)).flat()).toEqual(body.results);
  });

  it('is for sellers, and shows another seller none of them', async () => {
    expect((await list(cast.buyer.token, '/wallet/payouts')).status).toBe(403);
    const other = await signUp(app, { role: 'seller' });
    expect((await list<Payout>(other.token, '/wallet/payouts')).body.results).toEqual([]);
    expect((await list(cast.seller.token, '/wallet/payouts?cursor=x')).status).toBe(400);
  });
});

describe('GET /admin/payouts', () => {
  it('lists every seller’s payouts, filtered by status', async () => {
    const pending = (await list<Payout>(admin.token, '/admin/payouts?status=pending')).body.results;
    expect(pending.map((p) => p.id)).toContain(payouts.pending);
    expect(pending.every((p) => p.status === 'pending')).toBe(true);
    const paid = (await list<Payout>(admin.token, '/admin/payouts?status=paid')).body.results;
    expect(paid.map((p) => p.id)).toEqual([payouts.paid]);
    const every = (await list<Payout>(admin.token, '/admin/payouts')).body.results;
    expect(every.map((p) => p.id)).toEqual([payouts.pending, payouts.canceled, payouts.paid]);
    expect((await allPages<Payout>(admin.token, '/admin/payouts', 2)).flat()).toEqual(every);
  });

  it('refuses other roles and unknown statuses', async () => {
    expect((await list(cast.seller.token, '/admin/payouts')).status).toBe(403);
    expect((await list(admin.token, '/admin/payouts?status=lost')).status).toBe(400);
  });
});
