// Original file: proto/mamlaka/payments/v1/payments.proto

import type {
  OrderLine as _mamlaka_payments_v1_OrderLine,
  OrderLine__Output as _mamlaka_payments_v1_OrderLine__Output,
} from '../../../mamlaka/payments/v1/OrderLine.js';
import type {
  OrderPricing as _mamlaka_payments_v1_OrderPricing,
  OrderPricing__Output as _mamlaka_payments_v1_OrderPricing__Output,
} from '../../../mamlaka/payments/v1/OrderPricing.js';

export interface CreatePaymentRequest {
  /**
   * Either product_id and quantity, or items.
   */
  product_id?: string;
  quantity?: number;
  items?: _mamlaka_payments_v1_OrderLine[];
  /**
   * wallet, manual or midtrans; the platform's default when unset.
   */
  payment_method?: string;
  /**
   * Retrying with the same key returns the first payment instead of paying twice.
   */
  idempotency_key?: string;
  /**
   * With shipping, tax and discounts (a cart's checkout); unset: the items alone.
   */
  pricing?: _mamlaka_payments_v1_OrderPricing | null;
  /**
   * With product_id: the variant to buy of a product that has several.
   */
  variant_id?: string;
  _product_id?: 'product_id';
  _quantity?: 'quantity';
  _payment_method?: 'payment_method';
  _idempotency_key?: 'idempotency_key';
  _pricing?: 'pricing';
  _variant_id?: 'variant_id';
}

export interface CreatePaymentRequest__Output {
  /**
   * Either product_id and quantity, or items.
   */
  product_id?: string;
  quantity?: number;
  items: _mamlaka_payments_v1_OrderLine__Output[];
  /**
   * wallet, manual or midtrans; the platform's default when unset.
   */
  payment_method?: string;
  /**
   * Retrying with the same key returns the first payment instead of paying twice.
   */
  idempotency_key?: string;
  /**
   * With shipping, tax and discounts (a cart's checkout); unset: the items alone.
   */
  pricing?: _mamlaka_payments_v1_OrderPricing__Output;
  /**
   * With product_id: the variant to buy of a product that has several.
   */
  variant_id?: string;
}
