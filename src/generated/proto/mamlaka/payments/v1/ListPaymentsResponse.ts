// Original file: proto/mamlaka/payments/v1/payments.proto

import type {
  Payment as _mamlaka_payments_v1_Payment,
  Payment__Output as _mamlaka_payments_v1_Payment__Output,
} from '../../../mamlaka/payments/v1/Payment.js';

export interface ListPaymentsResponse {
  payments?: _mamlaka_payments_v1_Payment[];
  next_cursor?: string;
  _next_cursor?: 'next_cursor';
}

export interface ListPaymentsResponse__Output {
  payments: _mamlaka_payments_v1_Payment__Output[];
  next_cursor?: string;
}
