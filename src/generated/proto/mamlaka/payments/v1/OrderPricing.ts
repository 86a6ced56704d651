// Original file: proto/mamlaka/payments/v1/payments.proto

import type { Long } from '@grpc/proto-loader';

/**
 * How an order is priced beyond its items: where it goes, how each seller ships it, the
 * discount codes, and the total the buyer was shown.
 */
export interface OrderPricing {
  /**
   * One of the buyer's own addresses.
   */
  shipping_address_id?: string;
  /**
   * The shipping option chosen per seller id; a seller left out ships by its cheapest.
   */
  shipping_option_ids?: { [key: string]: string };
  discount_codes?: string[];
  /**
   * Minor units; the checkout refuses the order (order_total_changed) at any other total.
   */
  expected_total_minor?: number | string | Long;
  _expected_total_minor?: 'expected_total_minor';
}

/**
 * How an order is priced beyond its items: where it goes, how each seller ships it, the
 * discount codes, and the total the buyer was shown.
 */
export interface OrderPricing__Output {
  /**
   * One of the buyer's own addresses.
   */
  shipping_address_id?: string;
  /**
   * The shipping option chosen per seller id; a seller left out ships by its cheapest.
   */
  shipping_option_ids?: { [key: string]: string };
  discount_codes: string[];
  /**
   * Minor units; the checkout refuses the order (order_total_changed) at any other total.
   */
  expected_total_minor?: string;
}
