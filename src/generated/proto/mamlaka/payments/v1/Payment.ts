// Original file: proto/mamlaka/payments/v1/payments.proto

import type {
  PaymentProduct as _mamlaka_payments_v1_PaymentProduct,
  PaymentProduct__Output as _mamlaka_payments_v1_PaymentProduct__Output,
} from '../../../mamlaka/payments/v1/PaymentProduct.js';
import type {
  PaymentItem as _mamlaka_payments_v1_PaymentItem,
  PaymentItem__Output as _mamlaka_payments_v1_PaymentItem__Output,
} from '../../../mamlaka/payments/v1/PaymentItem.js';

export interface Payment {
  id?: string;
  order_id?: string;
  /**
   * The first item's product, as the seed's payment carries it.
   */
  product_id?: string;
  /**
   * The buyer.
   */
  user_id?: string;
  payment_code?: string;
  payment_method?: string;
  quantity?: number;
  total_amount?: string;
  refunded_amount?: string;
  currency?: string;
  /**
   * pending, succeeded, failed, canceled, expired, partially_refunded, refunded
   */
  status?: string;
  failure_code?: string;
  payment_url?: string;
  token?: string;
  expires_at?: string;
  created_at?: string;
  updated_at?: string;
  product?: _mamlaka_payments_v1_PaymentProduct | null;
  items?: _mamlaka_payments_v1_PaymentItem[];
  _failure_code?: 'failure_code';
  _payment_url?: 'payment_url';
  _token?: 'token';
  _expires_at?: 'expires_at';
}

export interface Payment__Output {
  id?: string;
  order_id?: string;
  /**
   * The first item's product, as the seed's payment carries it.
   */
  product_id?: string;
  /**
   * The buyer.
   */
  user_id?: string;
  payment_code?: string;
  payment_method?: string;
  quantity?: number;
  total_amount?: string;
  refunded_amount?: string;
  currency?: string;
  /**
   * pending, succeeded, failed, canceled, expired, partially_refunded, refunded
   */
  status?: string;
  failure_code?: string;
  payment_url?: string;
  token?: string;
  expires_at?: string;
  created_at?: string;
  updated_at?: string;
  product?: _mamlaka_payments_v1_PaymentProduct__Output;
  items: _mamlaka_payments_v1_PaymentItem__Output[];
}
