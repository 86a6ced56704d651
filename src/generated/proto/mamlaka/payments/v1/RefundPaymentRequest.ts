// Original file: proto/mamlaka/payments/v1/payments.proto

export interface RefundPaymentRequest {
  id?: string;
  /**
   * Unset refunds everything that remains.
   */
  amount?: string;
  reason?: string;
  /**
   * Put the refunded items back in stock.
   */
  restock?: boolean;
  idempotency_key?: string;
  _amount?: 'amount';
  _restock?: 'restock';
  _idempotency_key?: 'idempotency_key';
}

export interface RefundPaymentRequest__Output {
  id?: string;
  /**
   * Unset refunds everything that remains.
   */
  amount?: string;
  reason?: string;
  /**
   * Put the refunded items back in stock.
   */
  restock?: boolean;
  idempotency_key?: string;
}
