import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { idempotencyKeyOf } from '../../platform/idempotency/idempotency.hook.js';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { CheckoutApi, PaymentsApi, RefundsApi } from './payments.api.js';
import { forOneProduct } from './payments.limits.js';
import type { PublicPayment } from './payments.rules.js';
import {
  CreateOrderBody,
  CreatePaymentBody,
  ListPaymentsQuery,
  Payment,
  PaymentIdParams,
  PaymentList,
  Refund,
  RefundBody,
  RefundIdParams,
} from './payments.schemas.js';

const bearer = [{ bearerAuth: [] }];
const created = (payment: PublicPayment) =>
  ok(
    payment.status === 'failed'
      ? `payment failed: ${payment.failure_code?.replaceAll('_', ' ') ?? 'declined'}`
      : 'create payment successfully',
    payment,
  );

/** REST adapter of payments: checkout, reading, pending moves and refunds. */
export function paymentsRoutes(
  http: FastifyInstance,
  { checkout, payments, refunds }: { checkout: CheckoutApi; payments: PaymentsApi; refunds: RefundsApi },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const money = { auth: 'required' as const, idempotent: true };

  app.post(
    '/payments',
    {
      config: { ...money, roles: ['buyer'], scope: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary:
          'Buy one product (the seed’s checkout); a failed wallet payment is returned with status failed',
        security: bearer,
        body: CreatePaymentBody,
        response: { 201: envelope(Payment), ...errorResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const { product_id, variant_id, quantity, payment_method } = request.body;
      const payment = await checkout
        .create(
          request.actor,
          { items: [{ product_id, ...(variant_id ? { variant_id } : {}), quantity }], payment_method },
          idempotencyKeyOf(request),
        )
        .catch((error: unknown) => {
          throw forOneProduct(error);
        });
      return reply.status(201).send(created(payment));
    },
  );

  app.post(
    '/orders',
    {
      config: { ...money, roles: ['buyer'], scope: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'Buy several products, from one or more sellers, with one payment',
        security: bearer,
        body: CreateOrderBody,
        response: { 201: envelope(Payment), ...errorResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const payment = await checkout.create(request.actor, request.body, idempotencyKeyOf(request));
      return reply.status(201).send(created(payment));
    },
  );

  app.get(
    '/payments',
    {
      config: { auth: 'required', scope: 'payments:read' },
      schema: {
        tags: ['payments'],
        summary: 'Your payments (buyers), payments for your products (sellers), all (admins)',
        security: bearer,
        querystring: ListPaymentsQuery,
        response: { 200: PaymentList, ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const page = await payments.list(request.actor, { limit, cursor: request.query.cursor });
      return {
        meta: {
          success: true as const,
          message: 'get payments successfully',
          pagination: { limit, next_cursor: page.nextCursor, has_more: page.nextCursor !== null },
        },
        results: page.items,
      };
    },
  );

  app.get(
    '/payments/:id',
    {
      config: { auth: 'required', scope: 'payments:read' },
      schema: {
        tags: ['payments'],
        summary: 'One payment: its buyer, a seller of its items, or an admin',
        security: bearer,
        params: PaymentIdParams,
        response: { 200: envelope(Payment), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      ok('get payment successfully', await payments.retrieve(request.actor, request.params.id)),
  );

  app.post(
    '/payments/:id/cancel',
    {
      config: { ...money, roles: ['buyer', 'admin'], scope: 'payments:write' },
      schema: {
        tags: ['payments'],
        summary: 'Cancel a pending payment; its stock goes back',
        security: bearer,
        params: PaymentIdParams,
        response: { 200: envelope(Payment), ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      ok('cancel payment successfully', await payments.cancel(request.actor, request.params.id)),
  );

  app.post(
    '/payments/:id/capture',
    {
      config: {
        ...money,
        roles: ['admin'],
        scope: 'payments:write',
        audit: { action: 'admin.payment.capture', target: 'payment' },
      },
      schema: {
        tags: ['payments'],
        summary: 'Confirm a pending manual payment (admins): the money is booked and the payment succeeds',
        security: bearer,
        params: PaymentIdParams,
        response: { 200: envelope(Payment), ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      ok('capture payment successfully', await payments.capture(request.actor, request.params.id)),
  );

  app.post(
    '/payments/:id/refunds',
    {
      config: { ...money, roles: ['seller', 'admin'], scope: 'refunds:write' },
      schema: {
        tags: ['refunds'],
        summary:
          'Refund all or part of a payment (its seller or an admin): 201 once settled (succeeded or failed), 202 while the gateway has not confirmed it',
        security: bearer,
        params: PaymentIdParams,
        body: RefundBody,
        response: {
          201: envelope(Refund),
          202: envelope(Refund),
          ...errorResponses(400, 401, 403, 404, 409, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const refund = await refunds.refund(
        request.actor,
        request.params.id,
        request.body,
        idempotencyKeyOf(request),
      );
      const message =
        refund.status === 'succeeded'
          ? 'refund payment successfully'
          : refund.status === 'failed'
            ? `refund failed: ${refund.failure_message ?? refund.failure_code ?? 'declined'}`
            : 'refund pending: the gateway has not confirmed it yet';
      return reply.status(refund.status === 'pending' ? 202 : 201).send(ok(message, refund));
    },
  );

  app.get(
    '/payments/:id/refunds',
    {
      config: { auth: 'required', scope: 'payments:read' },
      schema: {
        tags: ['refunds'],
        summary: 'A payment’s refunds, oldest first (whoever may see the payment)',
        security: bearer,
        params: PaymentIdParams,
        response: { 200: envelope(Type.Array(Refund)), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      ok('get refunds successfully', await refunds.listRefunds(request.actor, request.params.id)),
  );

  app.get(
    '/refunds/:id',
    {
      config: { auth: 'required', scope: 'payments:read' },
      schema: {
        tags: ['refunds'],
        summary: 'One refund (whoever may see its payment)',
        security: bearer,
        params: RefundIdParams,
        response: { 200: envelope(Refund), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      ok('get refund successfully', await refunds.retrieveRefund(request.actor, request.params.id)),
  );
}
