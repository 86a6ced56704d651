import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import { Payment } from '../payments/payments.schemas.js';
import type { CartCheckout } from './carts.checkout.js';
import type { CartChoices } from './carts.choices.js';
import { maskCartId } from './carts.rules.js';
import {
  Cart,
  CartCodeParams,
  CartLineParams,
  CartParams,
  CheckoutCartBody,
  CreateCartBody,
  DiscountCodeBody,
  LineBody,
  QuantityBody,
  ShippingAddressBody,
  ShippingOptionsBody,
} from './carts.schemas.js';
import type { CartsService } from './carts.service.js';

const bearer = [{ bearerAuth: [] }];
// Anyone: a guest cart is reached by its id, a signed-in buyer's by its owner alone.
const anyone = { auth: 'optional' as const, roles: ['buyer' as const], scope: 'sessions-only' as const };
// A cart id is a bearer secret: the access log must not carry it whole.
const quiet = { logLevel: 'warn' as const };

/** REST adapter of carts. */
export function cartsRoutes(
  http: FastifyInstance,
  { carts, checkout, choices }: { carts: CartsService; checkout: CartCheckout; choices: CartChoices },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.register(async (scoped) => {
    // One masked line per request instead of Fastify's, which would log the whole path.
    scoped.addHook('onResponse', async (request, reply) => {
      const id = (request.params as { id?: string } | undefined)?.id;
      http.log.info(
        {
          reqId: request.id,
          method: request.method,
          url: id ? request.url.replace(id, maskCartId(id)) : request.url,
          statusCode: reply.statusCode,
          responseTime: reply.elapsedTime,
        },
        'request completed',
      );
    });
    const routes = scoped.withTypeProvider<TypeBoxTypeProvider>();
    const cartResponse = (status: number) => ({
      [status]: envelope(Cart),
      ...errorResponses(400, 401, 403, 404, 409, 429),
    });

    routes.post(
      '/carts',
      {
        ...quiet,
        config: anyone,
        schema: {
          tags: ['carts'],
          summary:
            'A guest cart (anonymous), or your one open cart with these lines (and from_cart’s) merged in',
          security: bearer,
          body: CreateCartBody,
          response: cartResponse(201),
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(ok('create cart successfully', await carts.create(request.actor, request.body))),
    );

    routes.get(
      '/carts/:id',
      {
        ...quiet,
        config: anyone,
        schema: {
          tags: ['carts'],
          summary: 'A cart with live prices and stock',
          security: bearer,
          params: CartParams,
          response: cartResponse(200),
        },
      },
      async (request) => ok('get cart successfully', await carts.retrieve(request.actor, request.params.id)),
    );

    routes.post(
      '/carts/:id/lines',
      {
        ...quiet,
        config: anyone,
        schema: {
          tags: ['carts'],
          summary: 'Add a product (to its line, if the cart has one)',
          security: bearer,
          params: CartParams,
          body: LineBody,
          response: cartResponse(201),
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            ok(
              'add cart line successfully',
              await carts.addLine(request.actor, request.params.id, request.body),
            ),
          ),
    );

    routes.patch(
      '/carts/:id/lines/:lineId',
      {
        ...quiet,
        config: anyone,
        schema: {
          tags: ['carts'],
          summary: 'Change a line’s quantity (accepting its current price)',
          security: bearer,
          params: CartLineParams,
          body: QuantityBody,
          response: cartResponse(200),
        },
      },
      async (request) =>
        ok(
          'update cart line successfully',
          await carts.updateLine(
            request.actor,
            request.params.id,
            request.params.lineId,
            request.body.quantity,
          ),
        ),
    );

    routes.delete(
      '/carts/:id/lines/:lineId',
      {
        ...quiet,
        config: anyone,
        schema: {
          tags: ['carts'],
          summary: 'Remove a line',
          security: bearer,
          params: CartLineParams,
          response: cartResponse(200),
        },
      },
      async (request) =>
        ok(
          'remove cart line successfully',
          await carts.removeLine(request.actor, request.params.id, request.params.lineId),
        ),
    );

    routes.post(
      '/carts/:id/accept-prices',
      {
        ...quiet,
        config: anyone,
        schema: {
          tags: ['carts'],
          summary: 'Accept every line’s current price',
          security: bearer,
          params: CartParams,
          response: cartResponse(200),
        },
      },
      async (request) =>
        ok('accept cart prices successfully', await carts.acceptPrices(request.actor, request.params.id)),
    );

    const owner = { auth: 'required' as const, roles: ['buyer' as const], scope: 'sessions-only' as const };
    const choiceResponse = { 200: envelope(Cart), ...errorResponses(400, 401, 403, 404, 409, 422, 429) };

    routes.put(
      '/carts/:id/shipping-address',
      {
        ...quiet,
        config: owner,
        schema: {
          tags: ['carts'],
          summary:
            'Ship your cart to one of your addresses: the cart then shows its quote (shipping, tax, discounts)',
          security: bearer,
          params: CartParams,
          body: ShippingAddressBody,
          response: choiceResponse,
        },
      },
      async (request) =>
        ok(
          'set cart shipping address successfully',
          await choices.setShippingAddress(request.actor, request.params.id, request.body.address_id),
        ),
    );

    routes.put(
      '/carts/:id/shipping-options',
      {
        ...quiet,
        config: owner,
        schema: {
          tags: ['carts'],
          summary: 'Choose how each seller ships your cart (GET /sellers/:id/shipping-options)',
          security: bearer,
          params: CartParams,
          body: ShippingOptionsBody,
          response: choiceResponse,
        },
      },
      async (request) =>
        ok(
          'set cart shipping options successfully',
          await choices.setShippingOptions(request.actor, request.params.id, request.body.options),
        ),
    );

    routes.post(
      '/carts/:id/discounts',
      {
        ...quiet,
        config: owner,
        schema: {
          tags: ['carts'],
          summary: 'Apply a discount code to your cart',
          security: bearer,
          params: CartParams,
          body: DiscountCodeBody,
          response: choiceResponse,
        },
      },
      async (request) =>
        ok(
          'apply discount code successfully',
          await choices.addDiscountCode(request.actor, request.params.id, request.body.code),
        ),
    );

    routes.delete(
      '/carts/:id/discounts/:code',
      {
        ...quiet,
        config: owner,
        schema: {
          tags: ['carts'],
          summary: 'Remove a discount code from your cart',
          security: bearer,
          params: CartCodeParams,
          response: choiceResponse,
        },
      },
      async (request) =>
        ok(
          'remove discount code successfully',
          await choices.removeDiscountCode(request.actor, request.params.id, request.params.code),
        ),
    );

    routes.post(
      '/carts/:id/checkout',
      {
        ...quiet,
        config: { auth: 'required', idempotent: true, roles: ['buyer'], scope: 'payments:write' },
        schema: {
          tags: ['carts'],
          summary:
            'Order and pay for the cart, as POST /orders does; once per cart (a repeat answers the same payment)',
          security: [{ bearerAuth: [] }],
          params: CartParams,
          body: CheckoutCartBody,
          response: { 201: envelope(Payment), ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
        },
      },
      async (request, reply) => {
        const payment = await checkout.create(request.actor, request.params.id, request.body ?? {});
        const message =
          payment.status === 'failed'
            ? `payment failed: ${payment.failure_code?.replaceAll('_', ' ') ?? 'declined'}`
            : 'create payment successfully';
        return reply.status(201).send(ok(message, payment));
      },
    );
  });
}
