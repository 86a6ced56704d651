// Original file: proto/mamlaka/payments/v1/payments.proto

export interface Refund {
  id?: string;
  payment_id?: string;
  payment_method?: string;
  amount?: string;
  currency?: string;
  reason?: string;
  restock?: boolean;
  /**
   * pending, succeeded, failed
   */
  status?: string;
  failure_code?: string;
  failure_message?: string;
  created_by?: string;
  created_at?: string;
  updated_at?: string;
  _failure_code?: 'failure_code';
  _failure_message?: 'failure_message';
}

export interface Refund__Output {
  id?: string;
  payment_id?: string;
  payment_method?: string;
  amount?: string;
  currency?: string;
  reason?: string;
  restock?: boolean;
  /**
   * pending, succeeded, failed
   */
  status?: string;
  failure_code?: string;
  failure_message?: string;
  created_by?: string;
  created_at?: string;
  updated_at?: string;
}
