import { describe, expect, it } from 'vitest';
import { formatMoney, orderPage, PUSHED_EVENTS, pushesFor } from './push.rules.js';

const payment = {
  id: 'pay-1',
  order_id: 'ord-1',
  user_id: 'buyer-1',
  payment_code: 'PAY-ABC',
  payment_method: 'wallet',
  total_amount: '125000',
  refunded_amount: '0',
  currency: 'IDR',
  items: [{ seller_id: 'seller-1' }],
};
const refund = {
  id: 'ref-1',
  amount: '25000.5',
  currency: 'IDR',
  payment_method: 'wallet',
  created_by: 'seller-1',
  payment,
};
const orderItem = (overrides: Record<string, unknown> = {}) => ({
  order_id: 'ord-1',
  buyer_id: 'buyer-1',
  item: {
    id: 'item-1',
    product_id: 'prod-1',
    product_name: 'Batik cloth',
    quantity: 1,
    seller_id: 'seller-1',
    fulfilment_status: 'shipped',
    carrier: 'JNE',
    tracking_number: 'JNE123',
    shipped_at: '2026-12-01T00:00:00.000Z',
    delivered_at: null,
    ...overrides,
  },
});

describe('pushesFor', () => {
  it.each([
    [
      'payment.succeeded',
      'Payment succeeded',
      'Your payment of IDR 125,000 (PAY-ABC) went through.',
      'normal',
    ],
    [
      'payment.failed',
      'Payment failed',
      'Your payment of IDR 125,000 (PAY-ABC) did not go through. You can try again.',
      'high',
    ],
    [
      'payment.expired',
      'Payment expired',
      'Your payment of IDR 125,000 (PAY-ABC) expired before it was completed.',
      'normal',
    ],
  ])('tells only the buyer of %s, linking the order', (type, title, body, urgency) => {
    expect(pushesFor({ type, data: payment })).toEqual([
      {
        userId: 'buyer-1',
        urgency,
        message: { title, body, url: '/account/orders/ord-1', tag: 'payment-pay-1' },
      },
    ]);
  });

  it('leaves a refund’s payment.refunded to its refund.succeeded, so the buyer hears once', () => {
    const settled = { ...payment, refunded_amount: '25000', refund: { id: 'ref-1', amount: '25000' } };
    expect(pushesFor({ type: 'payment.refunded', data: settled })).toEqual([]);
    expect(pushesFor({ type: 'refund.succeeded', data: refund })).toEqual([
      {
        userId: 'buyer-1',
        urgency: 'normal',
        message: {
          title: 'Refund completed',
          body: 'IDR 25,000.5 has been refunded to your wallet for payment PAY-ABC.',
          url: '/account/orders/ord-1',
          tag: 'refund-ref-1',
        },
      },
    ]);
  });

  it('tells the buyer of a payment.refunded that no refund event covers', () => {
    const [push] = pushesFor({ type: 'payment.refunded', data: { ...payment, refunded_amount: '125000' } });
    expect(push!.message.body).toBe('IDR 125,000 of your payment PAY-ABC has been refunded.');
  });

  it('tells the buyer, not the seller who asked for it, that a refund failed', () => {
    const [push, ...rest] = pushesFor({
      type: 'refund.failed',
      data: { ...refund, payment_method: 'midtrans' },
    });
    expect(rest).toEqual([]);
    expect(push).toMatchObject({
      userId: 'buyer-1',
      message: { title: 'Refund failed', tag: 'refund-ref-1' },
    });
    expect(push!.message.body).toContain('IDR 25,000.5 for payment PAY-ABC could not be completed');
  });

  it('says where a gateway refund goes only when it is the wallet', () => {
    const [push] = pushesFor({ type: 'refund.succeeded', data: { ...refund, payment_method: 'midtrans' } });
    expect(push!.message.body).toBe('IDR 25,000.5 has been refunded for payment PAY-ABC.');
  });

  it('tells the buyer an item shipped, with its carrier and tracking number when known', () => {
    expect(pushesFor({ type: 'order.shipped', data: orderItem() })).toEqual([
      {
        userId: 'buyer-1',
        urgency: 'normal',
        message: {
          title: 'Order shipped',
          body: 'Batik cloth is on its way with JNE (tracking JNE123).',
          url: '/account/orders/ord-1',
          tag: 'order-ord-1-item-1',
        },
      },
    ]);
    const [bare] = pushesFor({
      type: 'order.shipped',
      data: orderItem({ carrier: null, tracking_number: null, quantity: 3 }),
    });
    expect(bare!.message.body).toBe('3 × Batik cloth is on its way.');
  });

  it('tells the buyer an item was delivered', () => {
    const [push] = pushesFor({
      type: 'order.delivered',
      data: orderItem({ fulfilment_status: 'delivered' }),
    });
    expect(push!.message).toMatchObject({
      title: 'Order delivered',
      body: 'Batik cloth has been delivered.',
    });
  });

  it('keeps titles and bodies short enough for a notification', () => {
    const [push] = pushesFor({
      type: 'order.delivered',
      data: orderItem({ product_name: 'x'.repeat(1000) }),
    });
    expect(push!.message.body.length).toBeLessThanOrEqual(240);
    expect(push!.message.body.endsWith('…')).toBe(true);
  });

  it('says nothing for events it does not push, or data without its buyer', () => {
    for (const type of [
      'payment.created',
      'payment.canceled',
      'refund.created',
      'payout.requested',
      'user.registered',
    ])
      expect(pushesFor({ type, data: payment }), type).toEqual([]);
    expect(pushesFor({ type: 'payment.succeeded', data: { ...payment, user_id: undefined } })).toEqual([]);
    expect(pushesFor({ type: 'refund.succeeded', data: { ...refund, payment: undefined } })).toEqual([]);
    expect(pushesFor({ type: 'order.shipped', data: null })).toEqual([]);
  });

  it('acts on every event it subscribes to', () => {
    const data: Record<string, unknown> = {
      'payment.refunded': payment,
      'refund.succeeded': refund,
      'refund.failed': refund,
      'order.shipped': orderItem(),
      'order.delivered': orderItem(),
    };
    for (const type of PUSHED_EVENTS)
      expect(pushesFor({ type, data: data[type] ?? payment }), type).toHaveLength(1);
  });
});

describe('display helpers', () => {
  it('regroups amounts without computing with them', () => {
    expect(formatMoney('1234567.89', 'USD')).toBe('USD 1,234,567.89');
    expect(formatMoney('100', 'IDR')).toBe('IDR 100');
    expect(formatMoney('odd', 'IDR')).toBe('IDR odd');
  });

  it('links the order page, or the wallet when there is no order', () => {
    expect(orderPage('ord-1')).toBe('/account/orders/ord-1');
    expect(orderPage(null)).toBe('/account/wallet');
  });
});
