// Original file: proto/mamlaka/payments/v1/payments.proto

export interface PaymentItem {
  product_id?: string;
  seller_id?: string;
  name?: string;
  quantity?: number;
  unit_price?: string;
  subtotal?: string;
}

export interface PaymentItem__Output {
  product_id?: string;
  seller_id?: string;
  name?: string;
  quantity?: number;
  unit_price?: string;
  subtotal?: string;
}
