// Original file: proto/mamlaka/payments/v1/payments.proto

export interface GetPaymentRequest {
  id?: string;
}

export interface GetPaymentRequest__Output {
  id?: string;
}
