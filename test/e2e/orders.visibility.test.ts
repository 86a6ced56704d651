import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicOrder } from '../../src/modules/payments/payments.orders.rules.js';
import { startOrdersWorld } from '../helpers/orders.js';

/**
 * Who sees an order through HTTP: its buyer and admins the whole of it, each seller only
 * their own items of it, everyone else nothing (404, as if it did not exist).
 */

let world: Awaited<ReturnType<typeof startOrdersWorld>>;
beforeAll(async () => {
  world = await startOrdersWorld();
});
afterAll(async () => {
  await world?.app.close();
});

describe('who sees an order', () => {
  it('shows the buyer and admins the whole order, each seller only their items, and nobody else anything', async () => {
    const placed = await world.order();
    const whole = await world.detailOf(world.buyer.token, placed.id);
    expect(whole.status).toBe(200);
    expect(whole.body.results).toMatchObject({
      id: placed.id,
      buyer_id: world.buyer.id,
      currency: 'IDR',
      total: '6000',
      payment: {
        id: placed.payment.id,
        code: placed.payment.payment_code,
        status: 'succeeded',
        method: 'wallet',
        amount: '6000',
        refunded: '0',
        payment_url: null,
      },
      refunds: [],
    });
    expect(
      whole.body.results.items
        .map((item) => [item.name, item.quantity, item.unit_price, item.subtotal, item.fulfilment_status])
        .sort(),
    ).toEqual([
      ['Batik shirt', 1, '1000', '1000', 'unfulfilled'],
      ['Kopi luwak', 2, '2500', '5000', 'unfulfilled'],
    ]);
    expect((await world.detailOf(world.admin.token, placed.id)).body.results.items).toHaveLength(2);
    const seen = await world.detailOf(world.sellerA.token, placed.id);
    expect(seen.body.results.items.map((item) => item.seller_id)).toEqual([world.sellerA.id]);
    for (const stranger of [world.otherBuyer, world.otherSeller]) {
      const res = await world.detailOf(stranger.token, placed.id);
      expect({ status: res.status, code: res.body.meta.code }).toEqual({
        status: 404,
        code: 'order_not_found',
      });
    }
  });

  it('lists orders newest first, page by page, each caller only theirs', async () => {
    const first = await world.order();
    const second = await world.order();
    const page = await world.app.api<PublicOrder[]>('GET', '/orders?limit=1', { token: world.buyer.token });
    expect(page.body.results.map((each) => each.id)).toEqual([second.id]);
    expect(page.body.results[0]!.payment).toEqual({
      id: second.payment.id,
      code: second.payment.payment_code,
      status: 'succeeded',
      method: 'wallet',
    });
    const cursor = (page.body.meta.pagination as { next_cursor: string }).next_cursor;
    const next = await world.app.api<PublicOrder[]>('GET', `/orders?limit=1&cursor=${cursor}`, {
      token: world.buyer.token,
    });
    expect(next.body.results.map((each) => each.id)).toEqual([first.id]);
    const ofSeller = await world.app.api<PublicOrder[]>('GET', '/orders?limit=100', {
      token: world.sellerB.token,
    });
    expect(ofSeller.body.results.map((each) => each.id)).toContain(second.id);
    expect(
      ofSeller.body.results
        .flatMap((each) => each.items)
        .every((item) => item.seller_id === world.sellerB.id),
    ).toBe(true);
    const ofAdmin = await world.app.api<PublicOrder[]>('GET', '/orders?limit=100', {
      token: world.admin.token,
    });
    expect(ofAdmin.body.results.map((each) => each.id)).toContain(second.id);
    for (const stranger of [world.otherBuyer, world.otherSeller]) {
      expect(
        (await world.app.api<PublicOrder[]>('GET', '/orders', { token: stranger.token })).body.results,
      ).toEqual([]);
    }
    expect(
      (await world.app.api('GET', '/orders?cursor=not-a-cursor', { token: world.buyer.token })).status,
    ).toBe(400);
  });
});
