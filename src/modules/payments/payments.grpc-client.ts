import type { ListPaymentsResponse__Output } from '../../generated/proto/mamlaka/payments/v1/ListPaymentsResponse.js';
import type { Payment__Output } from '../../generated/proto/mamlaka/payments/v1/Payment.js';
import type { ListRefundsResponse__Output } from '../../generated/proto/mamlaka/payments/v1/ListRefundsResponse.js';
import type { Refund__Output } from '../../generated/proto/mamlaka/payments/v1/Refund.js';
import type { PaymentServiceClient } from '../../generated/proto/mamlaka/payments/v1/PaymentService.js';
import type { Actor } from '../../platform/auth/policy.js';
import {
  channelOptions,
  type ClientOptions,
  credentialsOf,
  ServiceClient,
  targetOf,
} from '../../platform/grpc/client.js';
import { loadContracts } from '../../platform/grpc/contracts.js';
import type { CheckoutApi, PaymentsApi, RefundsApi } from './payments.api.js';
import type { CheckoutInput } from './payments.checkout.js';
import type { RefundInput } from './payments.refunds.js';
import type { PublicPayment, PublicRefund } from './payments.rules.js';

// proto3 does not send a field at its default value, so an absent string is '' and an
// absent number 0; the contract's `optional` fields are the ones PublicPayment makes null.
const text = (value: string | undefined) => value ?? '';
const count = (value: number | undefined) => value ?? 0;
const nullable = (value: string | undefined) => value ?? null;

/** A Payment message back into exactly what the in-process services return. */
export function fromMessage(message: Payment__Output): PublicPayment {
  return {
    id: text(message.id),
    order_id: text(message.order_id),
    product_id: text(message.product_id),
    user_id: text(message.user_id),
    payment_code: text(message.payment_code),
    payment_method: text(message.payment_method),
    quantity: count(message.quantity),
    total_amount: text(message.total_amount),
    refunded_amount: text(message.refunded_amount),
    currency: text(message.currency),
    status: text(message.status),
    failure_code: nullable(message.failure_code),
    payment_url: nullable(message.payment_url),
    token: nullable(message.token),
    expires_at: nullable(message.expires_at),
    created_at: text(message.created_at),
    updated_at: text(message.updated_at),
    product: {
      id: text(message.product?.id),
      user_id: text(message.product?.user_id),
      name: text(message.product?.name),
      price: text(message.product?.price),
      currency: text(message.product?.currency),
    },
    items: message.items.map((item) => ({
      product_id: text(item.product_id),
      variant: item.variant
        ? { id: text(item.variant.id), sku: text(item.variant.sku), options: item.variant.options ?? {} }
        : null,
      seller_id: text(item.seller_id),
      name: text(item.name),
      quantity: count(item.quantity),
      unit_price: text(item.unit_price),
      subtotal: text(item.subtotal),
    })),
  };
}

/**
 * The payments service over gRPC, with the in-process services' methods: what the split
 * gateway hands the payments routes instead of Checkout, PaymentsService and Refunds. The
 * caller's token and the Idempotency-Key travel with each call, so the service enforces
 * both exactly as it does in process.
 */
export class PaymentsGrpcClient
  extends ServiceClient<PaymentServiceClient>
  implements CheckoutApi, PaymentsApi, RefundsApi
{
  constructor(address: string, options: ClientOptions) {
    const { PaymentService } = loadContracts().payments.mamlaka.payments.v1;
    super(new PaymentService(targetOf(address), credentialsOf(options), channelOptions), options);
  }

  async create(actor: Actor | undefined, input: CheckoutInput, idempotencyKey?: string) {
    return fromMessage(
      await this.call<Payment__Output>(
        this.client.CreatePayment,
        {
          items: input.items.map((item) => ({
            product_id: item.product_id,
            variant_id: item.variant_id,
            quantity: item.quantity,
            expected_unit_price_minor: item.expected_unit_price_minor?.toString(),
          })),
          payment_method: input.payment_method,
          idempotency_key: idempotencyKey,
          pricing: input.pricing && {
            shipping_address_id: input.pricing.shipping_address_id,
            shipping_option_ids: { ...input.pricing.shipping_option_ids },
            discount_codes: [...(input.pricing.discount_codes ?? [])],
            expected_total_minor: input.pricing.expected_total_minor?.toString(),
          },
        },
        actor,
      ),
    );
  }

  async retrieve(actor: Actor | undefined, id: string) {
    return fromMessage(await this.call<Payment__Output>(this.client.GetPayment, { id }, actor));
  }

  async list(actor: Actor | undefined, query: { limit: number; cursor?: string }) {
    const page = await this.call<ListPaymentsResponse__Output>(
      this.client.ListPayments,
      { limit: query.limit, cursor: query.cursor },
      actor,
    );
    return { items: page.payments.map(fromMessage), nextCursor: page.next_cursor ?? null };
  }

  async cancel(actor: Actor | undefined, id: string) {
    return fromMessage(await this.call<Payment__Output>(this.client.CancelPayment, { id }, actor));
  }

  async capture(actor: Actor | undefined, id: string) {
    return fromMessage(await this.call<Payment__Output>(this.client.CapturePayment, { id }, actor));
  }

  async refund(actor: Actor | undefined, paymentId: string, input: RefundInput, idempotencyKey?: string) {
    return fromRefundMessage(
      await this.call<Refund__Output>(
        this.client.CreateRefund,
        {
          id: paymentId,
          amount: input.amount,
          reason: input.reason,
          restock: input.restock,
          idempotency_key: idempotencyKey,
        },
        actor,
      ),
    );
  }

  async retrieveRefund(actor: Actor | undefined, id: string) {
    return fromRefundMessage(await this.call<Refund__Output>(this.client.GetRefund, { id }, actor));
  }

  async listRefunds(actor: Actor | undefined, paymentId: string) {
    const list = await this.call<ListRefundsResponse__Output>(
      this.client.ListRefunds,
      { payment_id: paymentId },
      actor,
    );
    return list.refunds.map(fromRefundMessage);
  }
}

/** A Refund message back into exactly what the in-process Refunds returns. */
export function fromRefundMessage(message: Refund__Output): PublicRefund {
  return {
    id: text(message.id),
    payment_id: text(message.payment_id),
    payment_method: text(message.payment_method),
    amount: text(message.amount),
    currency: text(message.currency),
    reason: text(message.reason),
    restock: message.restock ?? false,
    status: text(message.status),
    failure_code: nullable(message.failure_code),
    failure_message: nullable(message.failure_message),
    created_by: text(message.created_by),
    created_at: text(message.created_at),
    updated_at: text(message.updated_at),
  };
}
