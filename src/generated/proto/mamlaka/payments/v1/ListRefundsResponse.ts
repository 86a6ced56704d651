// Original file: proto/mamlaka/payments/v1/payments.proto

import type {
  Refund as _mamlaka_payments_v1_Refund,
  Refund__Output as _mamlaka_payments_v1_Refund__Output,
} from '../../../mamlaka/payments/v1/Refund.js';

export interface ListRefundsResponse {
  refunds?: _mamlaka_payments_v1_Refund[];
}

export interface ListRefundsResponse__Output {
  refunds: _mamlaka_payments_v1_Refund__Output[];
}
