// Original file: proto/mamlaka/payments/v1/payments.proto

export interface PaymentProduct {
  id?: string;
  user_id?: string;
  name?: string;
  price?: string;
  currency?: string;
}

export interface PaymentProduct__Output {
  id?: string;
  user_id?: string;
  name?: string;
  price?: string;
  currency?: string;
}
