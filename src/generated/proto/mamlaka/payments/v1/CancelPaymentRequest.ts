// Original file: proto/mamlaka/payments/v1/payments.proto

export interface CancelPaymentRequest {
  id?: string;
}

export interface CancelPaymentRequest__Output {
  id?: string;
}
