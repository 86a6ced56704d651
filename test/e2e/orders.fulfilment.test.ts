import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { queuedMails } from '../helpers/mail.js';
import { startOrdersWorld } from '../helpers/orders.js';

/**
 * Fulfilment through HTTP: each seller shipping and delivering their own items of a
 * two-seller order, what the state machine refuses, a full refund canceling what was not
 * delivered, the events, mails and webhooks of it, and bad input. Who sees which order:
 * orders.visibility.test.ts.
 */

let world: Awaited<ReturnType<typeof startOrdersWorld>>;
let receiver: Server;
let hookUrl: string;
const hooked: { path: string; type: string; data: { item: { id: string } } }[] = [];

beforeAll(async () => {
  receiver = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof hooked)[number];
    hooked.push({ ...event, path: request.url ?? '' });
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  world = await startOrdersWorld({ WEBHOOK_ALLOW_LIST: '127.0.0.1', WEBHOOK_DELIVERY_INTERVAL: '100ms' });
});
afterAll(async () => {
  await world?.app.close();
  receiver?.close();
});

type Person = typeof world.buyer;

describe('fulfilment', () => {
  it('lets each seller ship and deliver their own item, with events, mails and webhooks for both', async () => {
    for (const [who, path] of [
      [world.buyer, '/buyer'],
      [world.sellerB, '/seller'],
    ] as const) {
      const hook = await world.app.api('POST', '/webhooks', {
        token: who.token,
        body: { url: hookUrl + path, event_types: ['order.shipped', 'order.delivered'] },
      });
      expect(hook.status).toBe(201);
    }
    const placed = await world.order();
    const shipped = await world.ship(world.sellerB.token, placed.id, placed.b.id, {
      carrier: 'DHL Express',
      tracking_number: 'DHL 123/45',
    });
    expect(shipped.status).toBe(201);
    expect(shipped.body.results).toMatchObject({
      id: placed.b.id,
      order_id: placed.id,
      fulfilment_status: 'shipped',
      carrier: 'DHL Express',
      tracking_number: 'DHL 123/45',
      delivered_at: null,
    });
    expect(Date.parse(shipped.body.results.shipped_at!)).not.toBeNaN();
    const delivered = await world.deliver(world.sellerB.token, placed.id, placed.b.id);
    expect(delivered.status).toBe(200);
    expect(delivered.body.results).toMatchObject({ fulfilment_status: 'delivered', carrier: 'DHL Express' });
    expect(
      (await world.detailOf(world.buyer.token, placed.id)).body.results.items.find(
        (item) => item.id === placed.b.id,
      ),
    ).toEqual(delivered.body.results);
    // Seller A's item is untouched by B's shipment.
    expect(
      (await world.detailOf(world.sellerA.token, placed.id)).body.results.items[0]!.fulfilment_status,
    ).toBe('unfulfilled');

    const { rows } = await sql<{ type: string; data: unknown }>`
      SELECT type, data FROM outbox_events WHERE aggregate = ${`order:${placed.id}`} ORDER BY position`.execute(
      world.app.db.database.db,
    );
    expect(rows.map((row) => row.type)).toEqual(['order.shipped', 'order.delivered']);
    const item = delivered.body.results;
    expect(typeof rows[1]!.data === 'string' ? JSON.parse(rows[1]!.data) : rows[1]!.data).toEqual({
      order_id: placed.id,
      buyer_id: world.buyer.id,
      item: {
        id: item.id,
        product_id: world.productB.id,
        product_name: 'Kopi luwak',
        quantity: 2,
        seller_id: world.sellerB.id,
        fulfilment_status: 'delivered',
        carrier: 'DHL Express',
        tracking_number: 'DHL 123/45',
        shipped_at: item.shipped_at,
        delivered_at: item.delivered_at,
      },
    });

    const mails = await eventually(
      () => queuedMails(world.app, 'fulfilment', world.buyer.email),
      (found) => found.length === 2,
    );
    expect(mails.map((mail) => mail.subject)).toEqual(['Shipped: Kopi luwak', 'Delivered: Kopi luwak']);
    expect(mails[0]!.text_body).toContain('with DHL Express. Its tracking number is DHL 123/45.');

    const heard = await eventually(
      () =>
        hooked
          .filter((event) => event.data.item.id === placed.b.id)
          .map((event) => `${event.path} ${event.type}`)
          .sort(),
      (found) => found.length === 4,
    );
    expect(heard).toEqual([
      '/buyer order.delivered',
      '/buyer order.shipped',
      '/seller order.delivered',
      '/seller order.shipped',
    ]);
  });

  it('answers a retried shipment with the same Idempotency-Key as the first time', async () => {
    const placed = await world.order();
    const key = randomUUID();
    const first = await world.ship(world.sellerA.token, placed.id, placed.a.id, undefined, {
      'idempotency-key': key,
    });
    const again = await world.ship(world.sellerA.token, placed.id, placed.a.id, undefined, {
      'idempotency-key': key,
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.results).toEqual(first.body.results);
  });

  it('lets an admin ship and deliver any item', async () => {
    const placed = await world.order();
    expect((await world.ship(world.admin.token, placed.id, placed.a.id)).status).toBe(201);
    expect((await world.deliver(world.admin.token, placed.id, placed.a.id)).status).toBe(200);
  });

  it('refuses anyone but the item’s seller, without telling strangers the order exists', async () => {
    const placed = await world.order();
    const cases: [Person, number, string][] = [
      [world.sellerA, 404, 'order_item_not_found'],
      [world.otherSeller, 404, 'order_not_found'],
      [world.buyer, 403, 'role_not_allowed'],
    ];
    for (const [who, status, code] of cases) {
      const res = await world.ship(who.token, placed.id, placed.b.id);
      expect({ status: res.status, code: res.body.meta.code }).toEqual({ status, code });
      const done = await world.deliver(who.token, placed.id, placed.b.id);
      expect(done.status).toBe(status);
    }
    expect(
      (await world.detailOf(world.admin.token, placed.id)).body.results.items.every(
        (item) => item.fulfilment_status === 'unfulfilled',
      ),
    ).toBe(true);
  });

  it('refuses what the state machine does not allow, with 409 and a stable code', async () => {
    const pending = await world.order('manual');
    const early = await world.ship(world.sellerA.token, pending.id, pending.a.id);
    expect({ status: early.status, code: early.body.meta.code }).toEqual({
      status: 409,
      code: 'item_not_shippable',
    });
    const placed = await world.order();
    const notYet = await world.deliver(world.sellerA.token, placed.id, placed.a.id);
    expect({ status: notYet.status, code: notYet.body.meta.code }).toEqual({
      status: 409,
      code: 'item_not_deliverable',
    });
    expect((await world.ship(world.sellerA.token, placed.id, placed.a.id)).status).toBe(201);
    const twice = await world.ship(world.sellerA.token, placed.id, placed.a.id);
    expect({ status: twice.status, code: twice.body.meta.code }).toEqual({
      status: 409,
      code: 'item_not_shippable',
    });
    expect((await world.deliver(world.sellerA.token, placed.id, placed.a.id)).status).toBe(200);
    expect((await world.deliver(world.sellerA.token, placed.id, placed.a.id)).status).toBe(409);
  });

  it('cancels the undelivered items when the payment is refunded in full, and keeps delivered ones', async () => {
    const placed = await world.order();
    await world.ship(world.sellerA.token, placed.id, placed.a.id);
    await world.deliver(world.sellerA.token, placed.id, placed.a.id);
    const partial = await world.app.api('POST', `/payments/${placed.payment.id}/refunds`, {
      token: world.admin.token,
      body: { amount: '100', reason: 'dented' },
    });
    expect(partial.status).toBe(201);
    expect(
      (await world.detailOf(world.buyer.token, placed.id)).body.results.items
        .map((item) => item.fulfilment_status)
        .sort(),
    ).toEqual(['delivered', 'unfulfilled']);
    // Partly refunded is still paid: seller B may ship, and then the rest is refunded.
    expect((await world.ship(world.sellerB.token, placed.id, placed.b.id)).status).toBe(201);
    const full = await world.app.api('POST', `/payments/${placed.payment.id}/refunds`, {
      token: world.admin.token,
      body: { reason: 'lost' },
    });
    expect(full.status).toBe(201);
    const after = (await world.detailOf(world.buyer.token, placed.id)).body.results;
    expect(after.payment).toMatchObject({ status: 'refunded', refunded: '6000' });
    expect(after.refunds.map((refund) => [refund.amount, refund.status, refund.reason])).toEqual([
      ['100', 'succeeded', 'dented'],
      ['5900', 'succeeded', 'lost'],
    ]);
    expect(Object.fromEntries(after.items.map((item) => [item.seller_id, item.fulfilment_status]))).toEqual({
      [world.sellerA.id]: 'delivered',
      [world.sellerB.id]: 'canceled',
    });
    const unshipped = await world.order();
    await world.app.api('POST', `/payments/${unshipped.payment.id}/refunds`, {
      token: world.admin.token,
      body: { reason: 'changed mind' },
    });
    expect(
      (await world.detailOf(world.buyer.token, unshipped.id)).body.results.items.map(
        (item) => item.fulfilment_status,
      ),
    ).toEqual(['canceled', 'canceled']);
    const late = await world.ship(world.sellerA.token, unshipped.id, unshipped.a.id);
    expect({ status: late.status, code: late.body.meta.code }).toEqual({
      status: 409,
      code: 'item_not_shippable',
    });
  });

  it('never leaves an item shipped under a payment refunded in full, however a shipment and the refund race', async () => {
    const orders = await Promise.all([1, 2, 3, 4].map(() => world.order()));
    await Promise.all(
      orders.flatMap((placed) => [
        world.ship(world.sellerA.token, placed.id, placed.a.id),
        world.app.api('POST', `/payments/${placed.payment.id}/refunds`, {
          token: world.admin.token,
          body: { reason: 'race' },
        }),
      ]),
    );
    for (const placed of orders) {
      const after = (await world.detailOf(world.buyer.token, placed.id)).body.results;
      expect(after.payment?.status).toBe('refunded');
      expect(after.items.map((item) => item.fulfilment_status)).toEqual(['canceled', 'canceled']);
    }
  });
});

describe('bad input', () => {
  it('is refused with 400, and unknown ids with 404', async () => {
    const placed = await world.order();
    const bad: unknown[] = [
      { tracking_number: 'X1' },
      { carrier: 'JNE' },
      { carrier: 'x'.repeat(101), tracking_number: 'X1' },
      { carrier: 'JNE', tracking_number: '1'.repeat(101) },
      { carrier: '', tracking_number: 'X1' },
      { carrier: ' JNE', tracking_number: 'X1' },
      { carrier: 'JNE', tracking_number: 'X1<script>' },
      { carrier: 'JNE\n', tracking_number: 'X1' },
      { carrier: 'JNE', tracking_number: 'X1', extra: true },
    ];
    for (const body of bad) {
      const res = await world.ship(world.sellerA.token, placed.id, placed.a.id, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect((await world.ship(world.sellerA.token, randomUUID(), placed.a.id)).body.meta.code).toBe(
      'order_not_found',
    );
    expect((await world.ship(world.sellerA.token, placed.id, randomUUID())).body.meta.code).toBe(
      'order_item_not_found',
    );
    expect((await world.deliver(world.admin.token, placed.id, randomUUID())).status).toBe(404);
    expect((await world.detailOf(world.admin.token, randomUUID())).status).toBe(404);
    expect((await world.ship(world.sellerA.token, 'not-a-uuid', placed.a.id)).status).toBe(400);
    expect((await world.deliver(world.sellerA.token, placed.id, 'not-a-uuid')).status).toBe(400);
    expect((await world.detailOf(world.buyer.token, 'not-a-uuid')).status).toBe(400);
    expect((await world.app.api('GET', '/orders?limit=1000', { token: world.buyer.token })).status).toBe(400);
    expect(
      (await world.detailOf(world.buyer.token, placed.id)).body.results.items.every(
        (item) => item.fulfilment_status === 'unfulfilled',
      ),
    ).toBe(true);
  });
});
