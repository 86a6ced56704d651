import type { Generated, Selectable } from 'kysely';
import type { FulfilmentStatus } from './payments.fulfilment-state.js';
import type { RefundStatus } from './payments.refund-state.js';
import type { PaymentStatus } from './payments.state.js';

export interface OrdersTable {
  id: Generated<string>;
  buyer_id: string;
  currency: string;
  total_minor: bigint;
  created_at: Generated<Date>;
  /** A priced order's (a cart's) address and the destination it was quoted for. */
  shipping_address_id: string | null;
  destination_country: string | null;
  destination_region: string | null;
}

/** One seller's part of a priced order, and who gets what of what the buyer pays for it. */
export interface OrderShipmentsTable {
  order_id: string;
  seller_id: string;
  shipping_option_id: string | null;
  goods_minor: bigint;
  shipping_minor: bigint;
  tax_minor: bigint;
  tax_included_minor: bigint;
  discount_minor: bigint;
  total_minor: bigint;
  seller_share_minor: bigint;
  fee_minor: bigint;
  tax_liability_minor: bigint;
  platform_discount_minor: bigint;
}

export interface OrderTaxLinesTable {
  order_id: string;
  tax_rate_id: string;
  rate_bps: number;
  inclusive: boolean;
  taxable_minor: bigint;
  tax_minor: bigint;
}

export interface OrderItemsTable {
  id: Generated<string>;
  order_id: string;
  product_id: string;
  seller_id: string;
  product_name: string;
  /** The variant bought (catalog's, no foreign key) and what it was then. */
  variant_id: string | null;
  variant_sku: string | null;
  variant_options: Record<string, string> | null;
  quantity: number;
  unit_price_minor: bigint;
  fee_minor: bigint;
  subtotal_minor: bigint;
  restocked_quantity: Generated<number>;
  fulfilment_status: Generated<FulfilmentStatus>;
  /** Set together with shipped_at when the seller ships the item. */
  carrier: string | null;
  tracking_number: string | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
}

export interface PaymentsTable {
  id: Generated<string>;
  order_id: string;
  buyer_id: string;
  payment_code: string;
  method: string;
  status: PaymentStatus;
  currency: string;
  amount_minor: bigint;
  refunded_minor: Generated<bigint>;
  /** Refunds promised back but not yet confirmed by the provider. */
  refund_pending_minor: Generated<bigint>;
  failure_code: string | null;
  payment_url: string | null;
  token: string | null;
  provider_reference: string | null;
  ledger_transaction_id: string | null;
  idempotency_key: string | null;
  expires_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RefundsTable {
  id: string;
  payment_id: string;
  amount_minor: bigint;
  currency: string;
  reason: string;
  restock: boolean;
  status: RefundStatus;
  /** What the provider knows the refund by, the same on every retry. */
  refund_key: string;
  failure_code: string | null;
  failure_message: string | null;
  created_by: string;
  /** The ledger hold placed in phase 1 (kind 'refund', reference = the refund id). */
  ledger_transaction_id: string;
  idempotency_key: string | null;
  next_check_at: Date | null;
  check_attempts: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The tables the payments module owns. */
export interface PaymentsTables {
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_shipments: OrderShipmentsTable;
  order_tax_lines: OrderTaxLinesTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
}

export type OrderItemRow = Selectable<OrderItemsTable>;
export type OrderShipmentRow = Selectable<OrderShipmentsTable>;
export type OrderTaxLineRow = Selectable<OrderTaxLinesTable>;
export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<RefundsTable>;
