import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../platform/events/event.js';
import { mailsFor } from './notifications.rules.js';
import type { Branding } from './notifications.templates.js';

const branding: Branding = { productName: 'Mamlaka', from: 'Mamlaka <no-reply@mamlaka.test>' };
const buyerId = '11111111-1111-4111-8111-111111111111';
const sellerId = '22222222-2222-4222-8222-222222222222';

const payment = {
  id: 'p1',
  user_id: buyerId,
  payment_code: 'GC-6929-3605-5424',
  status: 'partially_refunded',
  total_amount: '10000',
  refunded_amount: '4000',
  currency: 'IDR',
  payment_method: 'midtrans',
  created_at: '2026-11-22T14:03:05.123Z',
  updated_at: '2026-11-22T14:05:00.000Z',
  items: [{ name: 'Batik shirt', quantity: 1, unit_price: '10000', subtotal: '10000' }],
};

const refundEvent = (type: string, overrides: Record<string, unknown> = {}): DomainEvent =>
  ({
    id: 'e1',
    type,
    aggregate: 'payment:p1',
    created: 1_795_000_000_000,
    data: {
      id: 'r1',
      amount: '4000',
      reason: 'damaged',
      failure_message: null,
      created_by: sellerId,
      payment_method: 'midtrans',
      payment,
      ...overrides,
    },
  }) as unknown as DomainEvent;

const render = (event: DomainEvent) =>
  mailsFor(event).map((plan) => ({
    to: plan.recipientId,
    kind: plan.kind,
    subject: plan.render({ name: 'Ana', email: 'ana@example.com' }, branding).subject,
  }));

describe('refund mails', () => {
  it('tell the buyer a gateway refund is on its way, but not a wallet refund that settles at once', () => {
    expect(render(refundEvent('refund.created'))).toEqual([
      { to: buyerId, kind: 'refund', subject: 'Refund of IDR 4,000 on its way: GC-6929-3605-5424' },
    ]);
    expect(render(refundEvent('refund.created', { payment_method: 'wallet' }))).toEqual([]);
  });

  it('tell the buyer once a refund succeeded', () => {
    expect(render(refundEvent('refund.succeeded'))).toEqual([
      { to: buyerId, kind: 'refund', subject: 'Refund of IDR 4,000: GC-6929-3605-5424' },
    ]);
  });

  it('tell whoever asked for a refund that the gateway refused it, with its reason', () => {
    const event = refundEvent('refund.failed', { failure_message: 'card expired' });
    expect(render(event)).toEqual([
      { to: sellerId, kind: 'refund', subject: 'Refund of IDR 4,000 failed: GC-6929-3605-5424' },
    ]);
    const mail = mailsFor(event)[0]!.render({ name: 'Sam', email: 'sam@example.com' }, branding);
    expect(mail.text).toContain('card expired');
  });

  it('leave payment.refunded to webhooks, so a refund mails once', () => {
    expect(mailsFor({ ...refundEvent('payment.refunded'), data: payment } as DomainEvent)).toEqual([]);
  });
});

describe('fulfilment mails', () => {
  const orderEvent = (type: string): DomainEvent => ({
    id: 'e2',
    type,
    aggregate: 'order:o1',
    created: 1_795_000_000_000,
    data: {
      order_id: 'o1',
      buyer_id: buyerId,
      item: {
        id: 'i1',
        product_id: 'p1',
        product_name: 'Batik shirt',
        quantity: 1,
        seller_id: sellerId,
        fulfilment_status: type === 'order.shipped' ? 'shipped' : 'delivered',
        carrier: 'JNE',
        tracking_number: 'JNE123',
        shipped_at: '2026-11-22T14:03:05.123Z',
        delivered_at: type === 'order.shipped' ? null : '2026-11-24T09:30:00.000Z',
      },
    },
  });

  it('tell the buyer, not the seller, that an item was shipped and then delivered', () => {
    expect(render(orderEvent('order.shipped'))).toEqual([
      { to: buyerId, kind: 'fulfilment', subject: 'Shipped: Batik shirt' },
    ]);
    expect(render(orderEvent('order.delivered'))).toEqual([
      { to: buyerId, kind: 'fulfilment', subject: 'Delivered: Batik shirt' },
    ]);
  });
});

describe('payout mails', () => {
  const payoutEvent = (type: string, status: string): DomainEvent =>
    ({
      id: 'e3',
      type,
      aggregate: 'payout:po1',
      created: 1_795_000_000_000,
      data: { id: 'po1', kind: 'payout', amount: '1500000', currency: 'IDR', status, seller_id: sellerId },
    }) as unknown as DomainEvent;

  it('tell the seller a payout was requested, then paid into the bank or returned', () => {
    expect(render(payoutEvent('payout.requested', 'pending'))).toEqual([
      { to: sellerId, kind: 'payout', subject: 'Payout requested: IDR 1,500,000' },
    ]);
    expect(render(payoutEvent('payout.completed', 'paid'))).toEqual([
      { to: sellerId, kind: 'payout', subject: 'Payout sent: IDR 1,500,000' },
    ]);
    expect(render(payoutEvent('payout.failed', 'failed'))).toEqual([
      { to: sellerId, kind: 'payout', subject: 'Payout failed: IDR 1,500,000' },
    ]);
  });
});
