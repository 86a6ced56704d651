import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  CancelPaymentRequest as _mamlaka_payments_v1_CancelPaymentRequest,
  CancelPaymentRequest__Output as _mamlaka_payments_v1_CancelPaymentRequest__Output,
} from './mamlaka/payments/v1/CancelPaymentRequest.js';
import type {
  CapturePaymentRequest as _mamlaka_payments_v1_CapturePaymentRequest,
  CapturePaymentRequest__Output as _mamlaka_payments_v1_CapturePaymentRequest__Output,
} from './mamlaka/payments/v1/CapturePaymentRequest.js';
import type {
  CreatePaymentRequest as _mamlaka_payments_v1_CreatePaymentRequest,
  CreatePaymentRequest__Output as _mamlaka_payments_v1_CreatePaymentRequest__Output,
} from './mamlaka/payments/v1/CreatePaymentRequest.js';
import type {
  CreateRefundRequest as _mamlaka_payments_v1_CreateRefundRequest,
  CreateRefundRequest__Output as _mamlaka_payments_v1_CreateRefundRequest__Output,
} from './mamlaka/payments/v1/CreateRefundRequest.js';
import type {
  GetPaymentRequest as _mamlaka_payments_v1_GetPaymentRequest,
  GetPaymentRequest__Output as _mamlaka_payments_v1_GetPaymentRequest__Output,
} from './mamlaka/payments/v1/GetPaymentRequest.js';
import type {
  GetRefundRequest as _mamlaka_payments_v1_GetRefundRequest,
  GetRefundRequest__Output as _mamlaka_payments_v1_GetRefundRequest__Output,
} from './mamlaka/payments/v1/GetRefundRequest.js';
import type {
  ItemVariant as _mamlaka_payments_v1_ItemVariant,
  ItemVariant__Output as _mamlaka_payments_v1_ItemVariant__Output,
} from './mamlaka/payments/v1/ItemVariant.js';
import type {
  ListPaymentsRequest as _mamlaka_payments_v1_ListPaymentsRequest,
  ListPaymentsRequest__Output as _mamlaka_payments_v1_ListPaymentsRequest__Output,
} from './mamlaka/payments/v1/ListPaymentsRequest.js';
import type {
  ListPaymentsResponse as _mamlaka_payments_v1_ListPaymentsResponse,
  ListPaymentsResponse__Output as _mamlaka_payments_v1_ListPaymentsResponse__Output,
} from './mamlaka/payments/v1/ListPaymentsResponse.js';
import type {
  ListRefundsRequest as _mamlaka_payments_v1_ListRefundsRequest,
  ListRefundsRequest__Output as _mamlaka_payments_v1_ListRefundsRequest__Output,
} from './mamlaka/payments/v1/ListRefundsRequest.js';
import type {
  ListRefundsResponse as _mamlaka_payments_v1_ListRefundsResponse,
  ListRefundsResponse__Output as _mamlaka_payments_v1_ListRefundsResponse__Output,
} from './mamlaka/payments/v1/ListRefundsResponse.js';
import type {
  OrderLine as _mamlaka_payments_v1_OrderLine,
  OrderLine__Output as _mamlaka_payments_v1_OrderLine__Output,
} from './mamlaka/payments/v1/OrderLine.js';
import type {
  OrderPricing as _mamlaka_payments_v1_OrderPricing,
  OrderPricing__Output as _mamlaka_payments_v1_OrderPricing__Output,
} from './mamlaka/payments/v1/OrderPricing.js';
import type {
  Payment as _mamlaka_payments_v1_Payment,
  Payment__Output as _mamlaka_payments_v1_Payment__Output,
} from './mamlaka/payments/v1/Payment.js';
import type {
  PaymentItem as _mamlaka_payments_v1_PaymentItem,
  PaymentItem__Output as _mamlaka_payments_v1_PaymentItem__Output,
} from './mamlaka/payments/v1/PaymentItem.js';
import type {
  PaymentProduct as _mamlaka_payments_v1_PaymentProduct,
  PaymentProduct__Output as _mamlaka_payments_v1_PaymentProduct__Output,
} from './mamlaka/payments/v1/PaymentProduct.js';
import type {
  PaymentServiceClient as _mamlaka_payments_v1_PaymentServiceClient,
  PaymentServiceDefinition as _mamlaka_payments_v1_PaymentServiceDefinition,
} from './mamlaka/payments/v1/PaymentService.js';
import type {
  Refund as _mamlaka_payments_v1_Refund,
  Refund__Output as _mamlaka_payments_v1_Refund__Output,
} from './mamlaka/payments/v1/Refund.js';
import type {
  RefundPaymentRequest as _mamlaka_payments_v1_RefundPaymentRequest,
  RefundPaymentRequest__Output as _mamlaka_payments_v1_RefundPaymentRequest__Output,
} from './mamlaka/payments/v1/RefundPaymentRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mamlaka: {
    payments: {
      v1: {
        CancelPaymentRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_CancelPaymentRequest,
          _mamlaka_payments_v1_CancelPaymentRequest__Output
        >;
        CapturePaymentRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_CapturePaymentRequest,
          _mamlaka_payments_v1_CapturePaymentRequest__Output
        >;
        CreatePaymentRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_CreatePaymentRequest,
          _mamlaka_payments_v1_CreatePaymentRequest__Output
        >;
        CreateRefundRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_CreateRefundRequest,
          _mamlaka_payments_v1_CreateRefundRequest__Output
        >;
        GetPaymentRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_GetPaymentRequest,
          _mamlaka_payments_v1_GetPaymentRequest__Output
        >;
        GetRefundRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_GetRefundRequest,
          _mamlaka_payments_v1_GetRefundRequest__Output
        >;
        ItemVariant: MessageTypeDefinition<
          _mamlaka_payments_v1_ItemVariant,
          _mamlaka_payments_v1_ItemVariant__Output
        >;
        ListPaymentsRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_ListPaymentsRequest,
          _mamlaka_payments_v1_ListPaymentsRequest__Output
        >;
        ListPaymentsResponse: MessageTypeDefinition<
          _mamlaka_payments_v1_ListPaymentsResponse,
          _mamlaka_payments_v1_ListPaymentsResponse__Output
        >;
        ListRefundsRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_ListRefundsRequest,
          _mamlaka_payments_v1_ListRefundsRequest__Output
        >;
        ListRefundsResponse: MessageTypeDefinition<
          _mamlaka_payments_v1_ListRefundsResponse,
          _mamlaka_payments_v1_ListRefundsResponse__Output
        >;
        OrderLine: MessageTypeDefinition<
          _mamlaka_payments_v1_OrderLine,
          _mamlaka_payments_v1_OrderLine__Output
        >;
        OrderPricing: MessageTypeDefinition<
          _mamlaka_payments_v1_OrderPricing,
          _mamlaka_payments_v1_OrderPricing__Output
        >;
        Payment: MessageTypeDefinition<_mamlaka_payments_v1_Payment, _mamlaka_payments_v1_Payment__Output>;
        PaymentItem: MessageTypeDefinition<
          _mamlaka_payments_v1_PaymentItem,
          _mamlaka_payments_v1_PaymentItem__Output
        >;
        PaymentProduct: MessageTypeDefinition<
          _mamlaka_payments_v1_PaymentProduct,
          _mamlaka_payments_v1_PaymentProduct__Output
        >;
        /**
         * Checkout and payments. Amounts are decimal strings in the payment's currency. Every
         * call needs an access token in the metadata; money-moving calls take an idempotency key.
         */
        PaymentService: SubtypeConstructor<typeof grpc.Client, _mamlaka_payments_v1_PaymentServiceClient> & {
          service: _mamlaka_payments_v1_PaymentServiceDefinition;
        };
        Refund: MessageTypeDefinition<_mamlaka_payments_v1_Refund, _mamlaka_payments_v1_Refund__Output>;
        RefundPaymentRequest: MessageTypeDefinition<
          _mamlaka_payments_v1_RefundPaymentRequest,
          _mamlaka_payments_v1_RefundPaymentRequest__Output
        >;
      };
    };
  };
}
