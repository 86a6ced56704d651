// Original file: proto/mamlaka/payments/v1/payments.proto

import type {
  ItemVariant as _mamlaka_payments_v1_ItemVariant,
  ItemVariant__Output as _mamlaka_payments_v1_ItemVariant__Output,
} from '../../../mamlaka/payments/v1/ItemVariant.js';

export interface PaymentItem {
  product_id?: string;
  seller_id?: string;
  name?: string;
  quantity?: number;
  unit_price?: string;
  subtotal?: string;
  /**
   * The variant bought, with its SKU and options then; unset for a product without variants.
   */
  variant?: _mamlaka_payments_v1_ItemVariant | null;
  _variant?: 'variant';
}

export interface PaymentItem__Output {
  product_id?: string;
  seller_id?: string;
  name?: string;
  quantity?: number;
  unit_price?: string;
  subtotal?: string;
  /**
   * The variant bought, with its SKU and options then; unset for a product without variants.
   */
  variant?: _mamlaka_payments_v1_ItemVariant__Output;
}
