// Original file: proto/mamlaka/payments/v1/payments.proto

export interface GetRefundRequest {
  id?: string;
}

export interface GetRefundRequest__Output {
  id?: string;
}
