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
  /**
   * The variant to buy of a product that has several; a product's only variant when unset.
   */
  variant_id?: string;
  _expected_unit_price_minor?: 'expected_unit_price_minor';
  _variant_id?: 'variant_id';
}

export interface OrderLine__Output {
  product_id?: string;
  quantity?: number;
  /**
   * The unit price (minor units) the buyer was shown, e.g. in a cart: the checkout refuses
   * the order (price_changed_since_quote) when the line would be charged another.
   */
  expected_unit_price_minor?: string;
  /**
   * The variant to buy of a product that has several; a product's only variant when unset.
   */
  variant_id?: string;
}
