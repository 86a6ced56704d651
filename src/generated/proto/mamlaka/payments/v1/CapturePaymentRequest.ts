// Original file: proto/mamlaka/payments/v1/payments.proto

export interface CapturePaymentRequest {
  id?: string;
}

export interface CapturePaymentRequest__Output {
  id?: string;
}
