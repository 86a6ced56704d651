// Original file: proto/mamlaka/payments/v1/payments.proto

/**
 * The same fields as RefundPaymentRequest: `id` is the payment's.
 */
export interface CreateRefundRequest {
  id?: string;
  /**
   * Unset refunds everything that remains.
   */
  amount?: string;
  reason?: string;
  /**
   * Put the refunded items back in stock once the money is back.
   */
  restock?: boolean;
  idempotency_key?: string;
  _amount?: 'amount';
  _restock?: 'restock';
  _idempotency_key?: 'idempotency_key';
}

/**
 * The same fields as RefundPaymentRequest: `id` is the payment's.
 */
export interface CreateRefundRequest__Output {
  id?: string;
  /**
   * Unset refunds everything that remains.
   */
  amount?: string;
  reason?: string;
  /**
   * Put the refunded items back in stock once the money is back.
   */
  restock?: boolean;
  idempotency_key?: string;
}
