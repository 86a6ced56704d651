import type { Generated, Selectable } from 'kysely';
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
  id: Generated<string>;
  payment_id: string;
  amount_minor: bigint;
  reason: string;
  restock: boolean;
  created_by: string;
  ledger_transaction_id: string;
  idempotency_key: string | null;
  created_at: Generated<Date>;
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
