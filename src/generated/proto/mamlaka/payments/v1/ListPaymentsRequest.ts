// Original file: proto/mamlaka/payments/v1/payments.proto

export interface ListPaymentsRequest {
  limit?: number;
  cursor?: string;
  _limit?: 'limit';
  _cursor?: 'cursor';
}

export interface ListPaymentsRequest__Output {
  limit?: number;
  cursor?: string;
}
