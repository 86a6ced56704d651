// Original file: proto/mamlaka/payments/v1/payments.proto

import type { Long } from '@grpc/proto-loader';

export interface OrderLine {
  product_id?: string;
  quantity?: number;
  /**
   * The unit price (minor units) the buyer was shown, e.g. in a cart: the checkout refuses
   * the order (price_changed_since_quote) when the line would be charged another.
   */
  expected_unit_price_minor?: number | string | Long;
  _expected_unit_price_minor?: 'expected_unit_price_minor';
}

export interface OrderLine__Output {
  product_id?: string;
  quantity?: number;
  /**
   * The unit price (minor units) the buyer was shown, e.g. in a cart: the checkout refuses
   * the order (price_changed_since_quote) when the line would be charged another.
   */
  expected_unit_price_minor?: string;
}
