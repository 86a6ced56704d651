import type { CreatePaymentRequest__Output } from '../../generated/proto/mamlaka/payments/v1/CreatePaymentRequest.js';
import type { OrderPricing__Output } from '../../generated/proto/mamlaka/payments/v1/OrderPricing.js';
import type { Payment as PaymentMessage } from '../../generated/proto/mamlaka/payments/v1/Payment.js';
import type { PaymentServiceHandlers } from '../../generated/proto/mamlaka/payments/v1/PaymentService.js';
import { invalidField } from '../../platform/errors.js';
import { loadContracts } from '../../platform/grpc/contracts.js';
import type { GrpcServer } from '../../platform/grpc/server.js';
import { present, validatorFor } from '../../platform/grpc/validate.js';
import { KEY_MAX_LENGTH, parseIdempotencyKey } from '../../platform/idempotency/idempotency.rules.js';
import type { CheckoutApi, PaymentsApi, RefundsApi } from './payments.api.js';
import type { CheckoutInput } from './payments.checkout.js';
import { forOneProduct } from './payments.limits.js';
import type { RefundInput } from './payments.refunds.js';
import type { PublicPayment, PublicRefund } from './payments.rules.js';
import type { Refund as RefundMessage } from '../../generated/proto/mamlaka/payments/v1/Refund.js';
import type { RefundPaymentRequest__Output } from '../../generated/proto/mamlaka/payments/v1/RefundPaymentRequest.js';
import type { CreateRefundRequest__Output } from '../../generated/proto/mamlaka/payments/v1/CreateRefundRequest.js';
import {
  CreateOrderBody,
  CreatePaymentBody,
  ListPaymentsQuery,
  PaymentIdParams,
  RefundBody,
} from './payments.schemas.js';

const createPayment = validatorFor<{
  product_id: string;
  variant_id?: string;
  quantity: number;
  payment_method?: string;
}>(CreatePaymentBody);
const createOrder = validatorFor<CheckoutInput>(CreateOrderBody);
const byId = validatorFor<{ id: string }>(PaymentIdParams);
const listQuery = validatorFor<{ limit?: number; cursor?: string }>(ListPaymentsQuery);
const refundBody = validatorFor<RefundInput>(RefundBody);

/** The REST default page size (GET /payments without `limit`). */
const DEFAULT_PAGE_SIZE = 20;

/**
 * CreatePayment is both REST checkouts: `product_id` and `quantity` is POST /payments,
 * `items` is POST /orders, each checked against that route's own body schema (so sending
 * both is refused as an unknown field, exactly as either route would refuse it).
 */
function checkoutInput(request: CreatePaymentRequest__Output): CheckoutInput {
  const { idempotency_key: _key, items, pricing, ...single } = present(request);
  if (pricing) return { ...checkoutInput({ ...request, pricing: undefined }), pricing: pricingOf(pricing) };
  if (items.length === 0) {
    const { product_id, variant_id, quantity, payment_method } = createPayment(single);
    return { items: [{ product_id, ...(variant_id ? { variant_id } : {}), quantity }], payment_method };
  }
  // The expected price is checked here, the rest against POST /orders' own body schema.
  const lines = items.map((line) => present(line));
  const order = createOrder({
    ...single,
    items: lines.map(({ expected_unit_price_minor: _expected, ...line }) => line),
  });
  return {
    ...order,
    items: order.items.map((item, index) => {
      const expected = lines[index]!.expected_unit_price_minor;
      if (expected === undefined) return item;
      if (!/^\d{1,19}$/.test(expected))
        throw invalidField(
          `items.${index}.expected_unit_price_minor`,
          'invalid',
          'must be a non-negative integer',
        );
      return { ...item, expected_unit_price_minor: BigInt(expected) };
    }),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CODES = 20;

/** The `pricing` field, held to the cart checkout's rules. */
function pricingOf(pricing: OrderPricing__Output): NonNullable<CheckoutInput['pricing']> {
  const addressId = pricing.shipping_address_id ?? '';
  if (!UUID.test(addressId))
    throw invalidField('pricing.shipping_address_id', 'invalid_format', 'must be a uuid');
  const options = Object.entries(pricing.shipping_option_ids ?? {});
  if (options.length > 100)
    throw invalidField('pricing.shipping_option_ids', 'too_many', 'at most 100 sellers');
  for (const [seller, option] of options) {
    if (!UUID.test(seller) || !UUID.test(option))
      throw invalidField(
        'pricing.shipping_option_ids',
        'invalid_format',
        'seller and option ids must be uuids',
      );
  }
  const codes = pricing.discount_codes ?? [];
  if (codes.length > MAX_CODES || codes.some((code) => code.length < 1 || code.length > 64))
    throw invalidField(
      'pricing.discount_codes',
      'invalid',
      `at most ${MAX_CODES} codes of 1 to 64 characters`,
    );
  const expected = pricing.expected_total_minor;
  if (expected !== undefined && !/^\d{1,19}$/.test(expected))
    throw invalidField('pricing.expected_total_minor', 'invalid', 'must be a non-negative integer');
  return {
    shipping_address_id: addressId,
    shipping_option_ids: Object.fromEntries(options) as Record<string, string>,
    discount_codes: codes,
    ...(expected === undefined ? {} : { expected_total_minor: BigInt(expected) }),
  };
}

/**
 * The `idempotency_key` field, held to the rules of the REST Idempotency-Key header (1–255
 * visible ASCII characters), so a key one edge accepts the other accepts too.
 */
function idempotencyKeyOf(request: { idempotency_key?: string }): string | undefined {
  try {
    return parseIdempotencyKey(request.idempotency_key);
  } catch {
    throw invalidField(
      'idempotency_key',
      'invalid_format',
      `idempotency_key must be 1 to ${KEY_MAX_LENGTH} visible ASCII characters`,
    );
  }
}

/** A payment as the contract has it: what PublicPayment leaves null is simply unset. */
function toMessage(payment: PublicPayment): PaymentMessage {
  return {
    ...payment,
    items: payment.items.map(({ variant, ...item }) => ({ ...item, ...(variant ? { variant } : {}) })),
    failure_code: payment.failure_code ?? undefined,
    payment_url: payment.payment_url ?? undefined,
    token: payment.token ?? undefined,
    expires_at: payment.expires_at ?? undefined,
  };
}

function refundRequest(request: RefundPaymentRequest__Output | CreateRefundRequest__Output): {
  paymentId: string;
  input: RefundInput;
} {
  const { id, idempotency_key: _key, ...body } = present(request);
  return { paymentId: byId(present({ id })).id, input: refundBody(body) };
}

function toRefundMessage(refund: PublicRefund): RefundMessage {
  return {
    ...refund,
    failure_code: refund.failure_code ?? undefined,
    failure_message: refund.failure_message ?? undefined,
  };
}

/**
 * gRPC adapter of the payments module (mamlaka.payments.v1.PaymentService): the same calls
 * as the REST routes, with `idempotency_key` passed where the routes pass the header.
 */
export function paymentsGrpc(
  server: GrpcServer,
  { checkout, payments, refunds }: { checkout: CheckoutApi; payments: PaymentsApi; refunds: RefundsApi },
) {
  const handlers: PaymentServiceHandlers = {
    CreatePayment: server.unary(
      'CreatePayment',
      async (request, { actor }) => {
        try {
          return toMessage(await checkout.create(actor, checkoutInput(request), idempotencyKeyOf(request)));
        } catch (error) {
          throw request.items.length === 0 ? forOneProduct(error) : error;
        }
      },
      { scope: 'payments:write' },
    ),
    GetPayment: server.unary(
      'GetPayment',
      async (request, { actor }) => toMessage(await payments.retrieve(actor, byId(present(request)).id)),
      { scope: 'payments:read' },
    ),
    ListPayments: server.unary(
      'ListPayments',
      async (request, { actor }) => {
        const query = listQuery(present(request));
        const page = await payments.list(actor, {
          limit: query.limit ?? DEFAULT_PAGE_SIZE,
          cursor: query.cursor,
        });
        return { payments: page.items.map(toMessage), next_cursor: page.nextCursor ?? undefined };
      },
      { scope: 'payments:read' },
    ),
    RefundPayment: server.unary(
      'RefundPayment',
      async (request, { actor }) => {
        const { paymentId, input } = refundRequest(request);
        await refunds.refund(actor, paymentId, input, idempotencyKeyOf(request));
        return toMessage(await payments.retrieve(actor, paymentId));
      },
      { scope: 'refunds:write' },
    ),
    CreateRefund: server.unary(
      'CreateRefund',
      async (request, { actor }) => {
        const { paymentId, input } = refundRequest(request);
        return toRefundMessage(await refunds.refund(actor, paymentId, input, idempotencyKeyOf(request)));
      },
      { scope: 'refunds:write' },
    ),
    GetRefund: server.unary(
      'GetRefund',
      async (request, { actor }) =>
        toRefundMessage(await refunds.retrieveRefund(actor, byId(present(request)).id)),
      { scope: 'payments:read' },
    ),
    ListRefunds: server.unary(
      'ListRefunds',
      async (request, { actor }) => {
        const paymentId = byId({ id: present(request).payment_id }).id;
        return { refunds: (await refunds.listRefunds(actor, paymentId)).map(toRefundMessage) };
      },
      { scope: 'payments:read' },
    ),
    CancelPayment: server.unary(
      'CancelPayment',
      async (request, { actor }) => toMessage(await payments.cancel(actor, byId(present(request)).id)),
      { scope: 'payments:write' },
    ),
    CapturePayment: server.unary(
      'CapturePayment',
      async (request, { actor }) => toMessage(await payments.capture(actor, byId(present(request)).id)),
      {
        scope: 'payments:write',
        audit: { action: 'admin.payment.capture', target: { kind: 'payment', id: (request) => request.id } },
      },
    ),
  };
  server.add(
    'mamlaka.payments.v1.PaymentService',
    loadContracts().payments.mamlaka.payments.v1.PaymentService.service,
    handlers,
  );
}
