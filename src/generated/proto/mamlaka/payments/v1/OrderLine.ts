// Original file: proto/mamlaka/payments/v1/payments.proto

export interface OrderLine {
  product_id?: string;
  quantity?: number;
}

export interface OrderLine__Output {
  product_id?: string;
  quantity?: number;
}
