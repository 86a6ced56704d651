import { describe, expect, it } from 'vitest';
import { orderItemEventData, toPublicOrderItem, visibleItems } from './payments.orders.rules.js';
import type { OrderItemRow } from './payments.tables.js';

const buyerId = '11111111-1111-4111-8111-111111111111';
const sellerA = '22222222-2222-4222-8222-222222222222';
const sellerB = '33333333-3333-4333-8333-333333333333';

const item = (sellerId: string, overrides: Partial<OrderItemRow> = {}): OrderItemRow => ({
  id: `item-of-${sellerId}`,
  order_id: 'o1',
  product_id: 'p1',
  seller_id: sellerId,
  product_name: 'Batik shirt',
  variant_id: null,
  variant_sku: null,
  variant_options: null,
  quantity: 2,
  unit_price_minor: 150_000n,
  fee_minor: 0n,
  subtotal_minor: 300_000n,
  restocked_quantity: 0,
  fulfilment_status: 'unfulfilled',
  carrier: null,
  tracking_number: null,
  shipped_at: null,
  delivered_at: null,
  ...overrides,
});
const items = [item(sellerA), item(sellerB)];

describe('who sees which items of an order', () => {
  it('shows the buyer and admins every item', () => {
    expect(visibleItems({ userId: buyerId, role: 'buyer' }, buyerId, items)).toHaveLength(2);
    expect(visibleItems({ userId: 'x', role: 'admin' }, buyerId, items)).toHaveLength(2);
  });

  it('shows a seller only their own items, and nobody else the order at all', () => {
    expect(
      visibleItems({ userId: sellerB, role: 'seller' }, buyerId, items)?.map((i) => i.seller_id),
    ).toEqual([sellerB]);
    expect(visibleItems({ userId: 'someone', role: 'seller' }, buyerId, items)).toBeUndefined();
    expect(visibleItems({ userId: 'someone', role: 'buyer' }, buyerId, items)).toBeUndefined();
  });
});

describe('an item at the edge', () => {
  const shipped = item(sellerA, {
    fulfilment_status: 'shipped',
    carrier: 'JNE',
    tracking_number: 'JNE1',
    shipped_at: new Date('2026-11-22T14:03:05.123Z'),
  });

  it('shows money as decimal strings and times as ISO 8601', () => {
    expect(toPublicOrderItem(shipped, 'USD')).toMatchObject({
      unit_price: '1500.00',
      subtotal: '3000.00',
      shipped_at: '2026-11-22T14:03:05.123Z',
      delivered_at: null,
    });
  });

  it('is the event data other consumers rely on, field for field', () => {
    expect(orderItemEventData(buyerId, shipped)).toEqual({
      order_id: 'o1',
      buyer_id: buyerId,
      item: {
        id: shipped.id,
        product_id: 'p1',
        product_name: 'Batik shirt',
        quantity: 2,
        seller_id: sellerA,
        fulfilment_status: 'shipped',
        carrier: 'JNE',
        tracking_number: 'JNE1',
        shipped_at: '2026-11-22T14:03:05.123Z',
        delivered_at: null,
      },
    });
  });
});
