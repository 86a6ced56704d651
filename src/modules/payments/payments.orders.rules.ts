import type { Actor } from '../../platform/auth/policy.js';
import { formatAmount } from '../../platform/money.js';
import type { OrderItemEventData } from './payments.events.js';
import type {
  OrderItemRow,
  OrderShipmentRow,
  OrdersTable,
  OrderTaxLineRow,
  PaymentRow,
  RefundRow,
} from './payments.tables.js';
import type { Selectable } from 'kysely';

type OrderRow = Selectable<OrdersTable>;

/** An order item as the orders API shows it, fulfilment included. */
export interface PublicOrderItem {
  id: string;
  order_id: string;
  product_id: string;
  /** The variant bought, with its SKU and options then; null for a product without variants. */
  variant: { id: string; sku: string; options: Record<string, string> } | null;
  name: string;
  quantity: number;
  unit_price: string;
  subtotal: string;
  seller_id: string;
  fulfilment_status: string;
  carrier: string | null;
  tracking_number: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
}

export interface PublicOrder {
  id: string;
  buyer_id: string;
  created_at: string;
  currency: string;
  total: string;
  payment: { id: string; code: string; status: string; method: string } | null;
  items: PublicOrderItem[];
}

export interface PublicOrderDetail extends Omit<PublicOrder, 'payment'> {
  payment: {
    id: string;
    code: string;
    status: string;
    method: string;
    amount: string;
    refunded: string;
    /** Where a pending gateway payment is paid; null once it is no longer pending. */
    payment_url: string | null;
  } | null;
  refunds: { id: string; amount: string; status: string; reason: string; created_at: string }[];
  pricing: {
    destination: { country: string; region: string | null };
    shipments: {
      seller_id: string;
      shipping_option_id: string | null;
      subtotal: string;
      shipping: string;
      tax: string;
      tax_included: string;
      discount: string;
      total: string;
    }[];
    tax_lines: { tax_rate_id: string; rate_bps: number; inclusive: boolean; taxable: string; tax: string }[];
  } | null;
}

/**
 * Who may see an order: its buyer, a seller of one of its items, an admin. A seller sees only
 * their own items of it: another seller's goods, prices and shipments are none of theirs.
 */
export function visibleItems(
  me: Actor,
  buyerId: string,
  items: readonly OrderItemRow[],
): OrderItemRow[] | undefined {
  if (me.role === 'admin' || me.userId === buyerId) return [...items];
  const own = items.filter((item) => item.seller_id === me.userId);
  return own.length > 0 ? own : undefined;
}

export function toPublicOrderItem(item: OrderItemRow, currency: string): PublicOrderItem {
  return {
    id: item.id,
    order_id: item.order_id,
    product_id: item.product_id,
    variant: item.variant_id
      ? { id: item.variant_id, sku: item.variant_sku ?? '', options: item.variant_options ?? {} }
      : null,
    name: item.product_name,
    quantity: item.quantity,
    unit_price: formatAmount(item.unit_price_minor, currency),
    subtotal: formatAmount(item.subtotal_minor, currency),
    seller_id: item.seller_id,
    fulfilment_status: item.fulfilment_status,
    carrier: item.carrier,
    tracking_number: item.tracking_number,
    shipped_at: item.shipped_at?.toISOString() ?? null,
    delivered_at: item.delivered_at?.toISOString() ?? null,
  };
}

export function toPublicOrder(
  order: OrderRow,
  payment: PaymentRow | undefined,
  items: readonly OrderItemRow[],
): PublicOrder {
  return {
    id: order.id,
    buyer_id: order.buyer_id,
    created_at: order.created_at.toISOString(),
    currency: order.currency,
    total: formatAmount(order.total_minor, order.currency),
    payment: payment
      ? { id: payment.id, code: payment.payment_code, status: payment.status, method: payment.method }
      : null,
    items: items.map((item) => toPublicOrderItem(item, order.currency)),
  };
}

export function toPublicOrderDetail(
  order: OrderRow,
  payment: PaymentRow | undefined,
  items: readonly OrderItemRow[],
  refunds: readonly RefundRow[],
  pricing: { shipments: readonly OrderShipmentRow[]; taxLines: readonly OrderTaxLineRow[] } = {
    shipments: [],
    taxLines: [],
  },
): PublicOrderDetail {
  const money = (minor: bigint) => formatAmount(minor, order.currency);
  return {
    ...toPublicOrder(order, payment, items),
    payment: payment
      ? {
          id: payment.id,
          code: payment.payment_code,
          status: payment.status,
          method: payment.method,
          amount: money(payment.amount_minor),
          refunded: money(payment.refunded_minor),
          payment_url: payment.status === 'pending' ? payment.payment_url : null,
        }
      : null,
    refunds: refunds.map((refund) => ({
      id: refund.id,
      amount: money(refund.amount_minor),
      status: refund.status,
      reason: refund.reason,
      created_at: refund.created_at.toISOString(),
    })),
    pricing:
      order.destination_country === null
        ? null
        : {
            destination: { country: order.destination_country, region: order.destination_region },
            shipments: pricing.shipments.map((shipment) => ({
              seller_id: shipment.seller_id,
              shipping_option_id: shipment.shipping_option_id,
              subtotal: money(shipment.goods_minor),
              shipping: money(shipment.shipping_minor),
              tax: money(shipment.tax_minor),
              tax_included: money(shipment.tax_included_minor),
              discount: money(shipment.discount_minor),
              total: money(shipment.total_minor),
            })),
            tax_lines: pricing.taxLines.map((line) => ({
              tax_rate_id: line.tax_rate_id,
              rate_bps: line.rate_bps,
              inclusive: line.inclusive,
              taxable: money(line.taxable_minor),
              tax: money(line.tax_minor),
            })),
          },
  };
}

/** The data of an item's `order.shipped` / `order.delivered` (see OrderItemEventData). */
export function orderItemEventData(buyerId: string, item: OrderItemRow): OrderItemEventData {
  return {
    order_id: item.order_id,
    buyer_id: buyerId,
    item: {
      id: item.id,
      product_id: item.product_id,
      product_name: item.product_name,
      quantity: item.quantity,
      seller_id: item.seller_id,
      fulfilment_status: item.fulfilment_status,
      carrier: item.carrier,
      tracking_number: item.tracking_number,
      shipped_at: item.shipped_at?.toISOString() ?? null,
      delivered_at: item.delivered_at?.toISOString() ?? null,
    },
  };
}
