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
}

export interface OrderItemsTable {
  id: Generated<string>;
  order_id: string;
  product_id: string;
  seller_id: string;
  product_name: string;
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
  payments: PaymentsTable;
  refunds: RefundsTable;
}

export type OrderItemRow = Selectable<OrderItemsTable>;
export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<RefundsTable>;
