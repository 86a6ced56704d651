// Original file: proto/mamlaka/payments/v1/payments.proto

export interface ListRefundsRequest {
  /**
   * The payment whose refunds to list.
   */
  payment_id?: string;
}

export interface ListRefundsRequest__Output {
  /**
   * The payment whose refunds to list.
   */
  payment_id?: string;
}
