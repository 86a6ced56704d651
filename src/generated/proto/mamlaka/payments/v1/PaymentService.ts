// Original file: proto/mamlaka/payments/v1/payments.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  CancelPaymentRequest as _mamlaka_payments_v1_CancelPaymentRequest,
  CancelPaymentRequest__Output as _mamlaka_payments_v1_CancelPaymentRequest__Output,
} from '../../../mamlaka/payments/v1/CancelPaymentRequest.js';
import type {
  CapturePaymentRequest as _mamlaka_payments_v1_CapturePaymentRequest,
  CapturePaymentRequest__Output as _mamlaka_payments_v1_CapturePaymentRequest__Output,
} from '../../../mamlaka/payments/v1/CapturePaymentRequest.js';
import type {
  CreatePaymentRequest as _mamlaka_payments_v1_CreatePaymentRequest,
  CreatePaymentRequest__Output as _mamlaka_payments_v1_CreatePaymentRequest__Output,
} from '../../../mamlaka/payments/v1/CreatePaymentRequest.js';
import type {
  CreateRefundRequest as _mamlaka_payments_v1_CreateRefundRequest,
  CreateRefundRequest__Output as _mamlaka_payments_v1_CreateRefundRequest__Output,
} from '../../../mamlaka/payments/v1/CreateRefundRequest.js';
import type {
  GetPaymentRequest as _mamlaka_payments_v1_GetPaymentRequest,
  GetPaymentRequest__Output as _mamlaka_payments_v1_GetPaymentRequest__Output,
} from '../../../mamlaka/payments/v1/GetPaymentRequest.js';
import type {
  GetRefundRequest as _mamlaka_payments_v1_GetRefundRequest,
  GetRefundRequest__Output as _mamlaka_payments_v1_GetRefundRequest__Output,
} from '../../../mamlaka/payments/v1/GetRefundRequest.js';
import type {
  ListPaymentsRequest as _mamlaka_payments_v1_ListPaymentsRequest,
  ListPaymentsRequest__Output as _mamlaka_payments_v1_ListPaymentsRequest__Output,
} from '../../../mamlaka/payments/v1/ListPaymentsRequest.js';
import type {
  ListPaymentsResponse as _mamlaka_payments_v1_ListPaymentsResponse,
  ListPaymentsResponse__Output as _mamlaka_payments_v1_ListPaymentsResponse__Output,
} from '../../../mamlaka/payments/v1/ListPaymentsResponse.js';
import type {
  ListRefundsRequest as _mamlaka_payments_v1_ListRefundsRequest,
  ListRefundsRequest__Output as _mamlaka_payments_v1_ListRefundsRequest__Output,
} from '../../../mamlaka/payments/v1/ListRefundsRequest.js';
import type {
  ListRefundsResponse as _mamlaka_payments_v1_ListRefundsResponse,
  ListRefundsResponse__Output as _mamlaka_payments_v1_ListRefundsResponse__Output,
} from '../../../mamlaka/payments/v1/ListRefundsResponse.js';
import type {
  Payment as _mamlaka_payments_v1_Payment,
  Payment__Output as _mamlaka_payments_v1_Payment__Output,
} from '../../../mamlaka/payments/v1/Payment.js';
import type {
  Refund as _mamlaka_payments_v1_Refund,
  Refund__Output as _mamlaka_payments_v1_Refund__Output,
} from '../../../mamlaka/payments/v1/Refund.js';
import type {
  RefundPaymentRequest as _mamlaka_payments_v1_RefundPaymentRequest,
  RefundPaymentRequest__Output as _mamlaka_payments_v1_RefundPaymentRequest__Output,
} from '../../../mamlaka/payments/v1/RefundPaymentRequest.js';

/**
 * Checkout and payments. Amounts are decimal strings in the payment's currency. Every
 * call needs an access token in the metadata; money-moving calls take an idempotency key.
 */
export interface PaymentServiceClient extends grpc.Client {
  /**
   * The buyer (or an admin) gives up a pending payment; its stock goes back.
   */
  CancelPayment(
    argument: _mamlaka_payments_v1_CancelPaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CancelPayment(
    argument: _mamlaka_payments_v1_CancelPaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CancelPayment(
    argument: _mamlaka_payments_v1_CancelPaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CancelPayment(
    argument: _mamlaka_payments_v1_CancelPaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The buyer (or an admin) gives up a pending payment; its stock goes back.
   */
  cancelPayment(
    argument: _mamlaka_payments_v1_CancelPaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  cancelPayment(
    argument: _mamlaka_payments_v1_CancelPaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  cancelPayment(
    argument: _mamlaka_payments_v1_CancelPaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  cancelPayment(
    argument: _mamlaka_payments_v1_CancelPaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * An admin confirms a manual payment was received.
   */
  CapturePayment(
    argument: _mamlaka_payments_v1_CapturePaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CapturePayment(
    argument: _mamlaka_payments_v1_CapturePaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CapturePayment(
    argument: _mamlaka_payments_v1_CapturePaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CapturePayment(
    argument: _mamlaka_payments_v1_CapturePaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * An admin confirms a manual payment was received.
   */
  capturePayment(
    argument: _mamlaka_payments_v1_CapturePaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  capturePayment(
    argument: _mamlaka_payments_v1_CapturePaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  capturePayment(
    argument: _mamlaka_payments_v1_CapturePaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  capturePayment(
    argument: _mamlaka_payments_v1_CapturePaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * One product and a quantity, or several lines (possibly from several sellers).
   */
  CreatePayment(
    argument: _mamlaka_payments_v1_CreatePaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CreatePayment(
    argument: _mamlaka_payments_v1_CreatePaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CreatePayment(
    argument: _mamlaka_payments_v1_CreatePaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  CreatePayment(
    argument: _mamlaka_payments_v1_CreatePaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * One product and a quantity, or several lines (possibly from several sellers).
   */
  createPayment(
    argument: _mamlaka_payments_v1_CreatePaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  createPayment(
    argument: _mamlaka_payments_v1_CreatePaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  createPayment(
    argument: _mamlaka_payments_v1_CreatePaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  createPayment(
    argument: _mamlaka_payments_v1_CreatePaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * A refund of a payment: `succeeded` or `failed` once its gateway answered, `pending`
   * (the money held) while it has not.
   */
  CreateRefund(
    argument: _mamlaka_payments_v1_CreateRefundRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  CreateRefund(
    argument: _mamlaka_payments_v1_CreateRefundRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  CreateRefund(
    argument: _mamlaka_payments_v1_CreateRefundRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  CreateRefund(
    argument: _mamlaka_payments_v1_CreateRefundRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * A refund of a payment: `succeeded` or `failed` once its gateway answered, `pending`
   * (the money held) while it has not.
   */
  createRefund(
    argument: _mamlaka_payments_v1_CreateRefundRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  createRefund(
    argument: _mamlaka_payments_v1_CreateRefundRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  createRefund(
    argument: _mamlaka_payments_v1_CreateRefundRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  createRefund(
    argument: _mamlaka_payments_v1_CreateRefundRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;

  GetPayment(
    argument: _mamlaka_payments_v1_GetPaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  GetPayment(
    argument: _mamlaka_payments_v1_GetPaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  GetPayment(
    argument: _mamlaka_payments_v1_GetPaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  GetPayment(
    argument: _mamlaka_payments_v1_GetPaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  getPayment(
    argument: _mamlaka_payments_v1_GetPaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  getPayment(
    argument: _mamlaka_payments_v1_GetPaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  getPayment(
    argument: _mamlaka_payments_v1_GetPaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  getPayment(
    argument: _mamlaka_payments_v1_GetPaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;

  GetRefund(
    argument: _mamlaka_payments_v1_GetRefundRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  GetRefund(
    argument: _mamlaka_payments_v1_GetRefundRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  GetRefund(
    argument: _mamlaka_payments_v1_GetRefundRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  GetRefund(
    argument: _mamlaka_payments_v1_GetRefundRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  getRefund(
    argument: _mamlaka_payments_v1_GetRefundRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  getRefund(
    argument: _mamlaka_payments_v1_GetRefundRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  getRefund(
    argument: _mamlaka_payments_v1_GetRefundRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;
  getRefund(
    argument: _mamlaka_payments_v1_GetRefundRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Refund__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * The caller's payments (a seller's: those with their products), newest first.
   */
  ListPayments(
    argument: _mamlaka_payments_v1_ListPaymentsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListPaymentsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListPayments(
    argument: _mamlaka_payments_v1_ListPaymentsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListPaymentsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListPayments(
    argument: _mamlaka_payments_v1_ListPaymentsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListPaymentsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListPayments(
    argument: _mamlaka_payments_v1_ListPaymentsRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListPaymentsResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The caller's payments (a seller's: those with their products), newest first.
   */
  listPayments(
    argument: _mamlaka_payments_v1_ListPaymentsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListPaymentsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listPayments(
    argument: _mamlaka_payments_v1_ListPaymentsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListPaymentsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listPayments(
    argument: _mamlaka_payments_v1_ListPaymentsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListPaymentsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listPayments(
    argument: _mamlaka_payments_v1_ListPaymentsRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListPaymentsResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * A payment's refunds, oldest first.
   */
  ListRefunds(
    argument: _mamlaka_payments_v1_ListRefundsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListRefundsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListRefunds(
    argument: _mamlaka_payments_v1_ListRefundsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListRefundsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListRefunds(
    argument: _mamlaka_payments_v1_ListRefundsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListRefundsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListRefunds(
    argument: _mamlaka_payments_v1_ListRefundsRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListRefundsResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * A payment's refunds, oldest first.
   */
  listRefunds(
    argument: _mamlaka_payments_v1_ListRefundsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListRefundsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listRefunds(
    argument: _mamlaka_payments_v1_ListRefundsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListRefundsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listRefunds(
    argument: _mamlaka_payments_v1_ListRefundsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListRefundsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listRefunds(
    argument: _mamlaka_payments_v1_ListRefundsRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_ListRefundsResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Full (amount unset) or partial; never more than what remains. Answers the payment as
   * it stands after the refund; CreateRefund answers the refund itself.
   */
  RefundPayment(
    argument: _mamlaka_payments_v1_RefundPaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  RefundPayment(
    argument: _mamlaka_payments_v1_RefundPaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  RefundPayment(
    argument: _mamlaka_payments_v1_RefundPaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  RefundPayment(
    argument: _mamlaka_payments_v1_RefundPaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Full (amount unset) or partial; never more than what remains. Answers the payment as
   * it stands after the refund; CreateRefund answers the refund itself.
   */
  refundPayment(
    argument: _mamlaka_payments_v1_RefundPaymentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  refundPayment(
    argument: _mamlaka_payments_v1_RefundPaymentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  refundPayment(
    argument: _mamlaka_payments_v1_RefundPaymentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
  refundPayment(
    argument: _mamlaka_payments_v1_RefundPaymentRequest,
    callback: grpc.requestCallback<_mamlaka_payments_v1_Payment__Output>,
  ): grpc.ClientUnaryCall;
}

/**
 * Checkout and payments. Amounts are decimal strings in the payment's currency. Every
 * call needs an access token in the metadata; money-moving calls take an idempotency key.
 */
export interface PaymentServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The buyer (or an admin) gives up a pending payment; its stock goes back.
   */
  CancelPayment: grpc.handleUnaryCall<
    _mamlaka_payments_v1_CancelPaymentRequest__Output,
    _mamlaka_payments_v1_Payment
  >;

  /**
   * An admin confirms a manual payment was received.
   */
  CapturePayment: grpc.handleUnaryCall<
    _mamlaka_payments_v1_CapturePaymentRequest__Output,
    _mamlaka_payments_v1_Payment
  >;

  /**
   * One product and a quantity, or several lines (possibly from several sellers).
   */
  CreatePayment: grpc.handleUnaryCall<
    _mamlaka_payments_v1_CreatePaymentRequest__Output,
    _mamlaka_payments_v1_Payment
  >;

  /**
   * A refund of a payment: `succeeded` or `failed` once its gateway answered, `pending`
   * (the money held) while it has not.
   */
  CreateRefund: grpc.handleUnaryCall<
    _mamlaka_payments_v1_CreateRefundRequest__Output,
    _mamlaka_payments_v1_Refund
  >;

  GetPayment: grpc.handleUnaryCall<
    _mamlaka_payments_v1_GetPaymentRequest__Output,
    _mamlaka_payments_v1_Payment
  >;

  GetRefund: grpc.handleUnaryCall<_mamlaka_payments_v1_GetRefundRequest__Output, _mamlaka_payments_v1_Refund>;

  /**
   * The caller's payments (a seller's: those with their products), newest first.
   */
  ListPayments: grpc.handleUnaryCall<
    _mamlaka_payments_v1_ListPaymentsRequest__Output,
    _mamlaka_payments_v1_ListPaymentsResponse
  >;

  /**
   * A payment's refunds, oldest first.
   */
  ListRefunds: grpc.handleUnaryCall<
    _mamlaka_payments_v1_ListRefundsRequest__Output,
    _mamlaka_payments_v1_ListRefundsResponse
  >;

  /**
   * Full (amount unset) or partial; never more than what remains. Answers the payment as
   * it stands after the refund; CreateRefund answers the refund itself.
   */
  RefundPayment: grpc.handleUnaryCall<
    _mamlaka_payments_v1_RefundPaymentRequest__Output,
    _mamlaka_payments_v1_Payment
  >;
}

export interface PaymentServiceDefinition extends grpc.ServiceDefinition {
  CancelPayment: MethodDefinition<
    _mamlaka_payments_v1_CancelPaymentRequest,
    _mamlaka_payments_v1_Payment,
    _mamlaka_payments_v1_CancelPaymentRequest__Output,
    _mamlaka_payments_v1_Payment__Output
  >;
  CapturePayment: MethodDefinition<
    _mamlaka_payments_v1_CapturePaymentRequest,
    _mamlaka_payments_v1_Payment,
    _mamlaka_payments_v1_CapturePaymentRequest__Output,
    _mamlaka_payments_v1_Payment__Output
  >;
  CreatePayment: MethodDefinition<
    _mamlaka_payments_v1_CreatePaymentRequest,
    _mamlaka_payments_v1_Payment,
    _mamlaka_payments_v1_CreatePaymentRequest__Output,
    _mamlaka_payments_v1_Payment__Output
  >;
  CreateRefund: MethodDefinition<
    _mamlaka_payments_v1_CreateRefundRequest,
    _mamlaka_payments_v1_Refund,
    _mamlaka_payments_v1_CreateRefundRequest__Output,
    _mamlaka_payments_v1_Refund__Output
  >;
  GetPayment: MethodDefinition<
    _mamlaka_payments_v1_GetPaymentRequest,
    _mamlaka_payments_v1_Payment,
    _mamlaka_payments_v1_GetPaymentRequest__Output,
    _mamlaka_payments_v1_Payment__Output
  >;
  GetRefund: MethodDefinition<
    _mamlaka_payments_v1_GetRefundRequest,
    _mamlaka_payments_v1_Refund,
    _mamlaka_payments_v1_GetRefundRequest__Output,
    _mamlaka_payments_v1_Refund__Output
  >;
  ListPayments: MethodDefinition<
    _mamlaka_payments_v1_ListPaymentsRequest,
    _mamlaka_payments_v1_ListPaymentsResponse,
    _mamlaka_payments_v1_ListPaymentsRequest__Output,
    _mamlaka_payments_v1_ListPaymentsResponse__Output
  >;
  ListRefunds: MethodDefinition<
    _mamlaka_payments_v1_ListRefundsRequest,
    _mamlaka_payments_v1_ListRefundsResponse,
    _mamlaka_payments_v1_ListRefundsRequest__Output,
    _mamlaka_payments_v1_ListRefundsResponse__Output
  >;
  RefundPayment: MethodDefinition<
    _mamlaka_payments_v1_RefundPaymentRequest,
    _mamlaka_payments_v1_Payment,
    _mamlaka_payments_v1_RefundPaymentRequest__Output,
    _mamlaka_payments_v1_Payment__Output
  >;
}
