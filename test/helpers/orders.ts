import { expect } from 'vitest';
import type { PublicOrderDetail, PublicOrderItem } from '../../src/modules/payments/payments.orders.rules.js';
import { createProduct } from './catalog.js';
import { adminOf, type PaymentJson, topUp } from './payments.js';
import { signUp, startTestApp } from './test-app.js';

export type OrderDetailJson = PublicOrderDetail;
export type OrderItemJson = PublicOrderItem;

/**
 * The cast of the orders suites: a buyer with money, two sellers with a product each (so an
 * order has two sellers' items), and a buyer, a seller and an admin who own none of it.
 */
export async function startOrdersWorld(env: Record<string, string> = {}) {
  const app = await startTestApp(env);
  const buyer = await signUp(app);
  const otherBuyer = await signUp(app);
  const sellerA = await signUp(app, { role: 'seller' });
  const sellerB = await signUp(app, { role: 'seller' });
  const otherSeller = await signUp(app, { role: 'seller' });
  const admin = await adminOf(app);
  await topUp(app, buyer.token, '10000000');
  const productA = await createProduct(app, sellerA.token, {
    name: 'Batik shirt',
    price: '1000',
    stock: 100,
  });
  const productB = await createProduct(app, sellerB.token, { name: 'Kopi luwak', price: '2500', stock: 100 });

  const detailOf = (token: string, orderId: string) =>
    app.api<OrderDetailJson>('GET', `/orders/${orderId}`, { token });

  /** A two-seller order of the buyer: one Batik shirt from seller A, two Kopi luwak from seller B. */
  async function order(method: 'wallet' | 'manual' = 'wallet') {
    const res = await app.api<PaymentJson>('POST', '/orders', {
      token: buyer.token,
      body: {
        items: [
          { product_id: productA.id, quantity: 1 },
          { product_id: productB.id, quantity: 2 },
        ],
        payment_method: method,
      },
    });
    expect(res.status).toBe(201);
    const detail = await detailOf(admin.token, res.body.results.order_id);
    const itemOf = (sellerId: string) =>
      detail.body.results.items.find((item) => item.seller_id === sellerId)!;
    return {
      id: res.body.results.order_id,
      payment: res.body.results,
      a: itemOf(sellerA.id),
      b: itemOf(sellerB.id),
    };
  }

  const ship = (
    token: string,
    orderId: string,
    itemId: string,
    body: unknown = { carrier: 'JNE', tracking_number: 'JNE-0042' },
    headers: Record<string, string> = {},
  ) =>
    app.api<OrderItemJson>('POST', `/orders/${orderId}/items/${itemId}/shipments`, { token, body, headers });
  const deliver = (token: string, orderId: string, itemId: string) =>
    app.api<OrderItemJson>('POST', `/orders/${orderId}/items/${itemId}/delivered`, { token });

  return {
    app,
    buyer,
    otherBuyer,
    sellerA,
    sellerB,
    otherSeller,
    admin,
    productA,
    productB,
    order,
    ship,
    deliver,
    detailOf,
  };
}
