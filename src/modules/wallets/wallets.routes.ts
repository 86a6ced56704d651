import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { idempotencyKeyOf } from '../../platform/idempotency/idempotency.hook.js';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { WalletsService } from './wallets.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Amount = Type.String({
  maxLength: 32,
  description: 'decimal string, e.g. "100000" (IDR) or "25.00" (USD)',
});
const Currency = Type.String({ pattern: '^[A-Za-z]{3}$' });

const Movement = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  amount: Type.String(),
  currency: Type.String(),
  status: Type.String(),
  payment_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  token: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const TopUp = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.Literal('top_up'),
  method: Type.String(),
  amount: Type.String(),
  currency: Type.String(),
  status: Type.String({ description: 'pending, succeeded, failed, canceled or expired' }),
  failure_code: Type.Union([Type.String(), Type.Null()]),
  payment_url: Type.Union([Type.String(), Type.Null()]),
  token: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
const Balance = Type.Object({
  currency: Type.String(),
  available: Type.String({ description: 'what can be spent or paid out now' }),
  held: Type.String({ description: 'held for payouts in progress' }),
  posted: Type.String(),
});

/** REST adapter of wallets: balances, test top-ups, payouts. */
export function walletsRoutes(http: FastifyInstance, { wallets }: { wallets: WalletsService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/wallet',
    {
      config: { auth: 'required', scope: 'wallet:read' },
      schema: {
        tags: ['wallets'],
        summary: 'Your wallet balances, one per currency',
        security: bearer,
        response: { 200: envelope(Type.Array(Balance)), ...errorResponses(401, 429) },
      },
    },
    async (request) => ok('get wallet successfully', await wallets.balances(request.actor)),
  );

  app.post(
    '/wallet/top-ups',
    {
      config: { auth: 'required', idempotent: true, scope: 'wallet:write' },
      schema: {
        tags: ['wallets'],
        summary:
          'Add money to your wallet: `midtrans` (pay on the returned page) or `test` (sandbox mode only)',
        security: bearer,
        body: Type.Object(
          { amount: Amount, currency: Currency, method: Type.String({ maxLength: 32 }) },
          strict,
        ),
        response: { 201: envelope(Movement), ...errorResponses(400, 401, 403, 409, 422, 429, 503) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          ok(
            'top up successfully',
            await wallets.topUp(request.actor, request.body, idempotencyKeyOf(request)),
          ),
        ),
  );

  app.get(
    '/wallet/top-ups/:id',
    {
      config: { auth: 'required', scope: 'wallet:read' },
      schema: {
        tags: ['wallets'],
        summary: 'A top-up paid through a gateway, to follow it until the gateway settles it',
        security: bearer,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, strict),
        response: { 200: envelope(TopUp), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      ok('get top-up successfully', await wallets.retrieveTopUp(request.actor, request.params.id)),
  );

  app.post(
    '/wallet/payouts',
    {
      config: { auth: 'required', idempotent: true, roles: ['seller'], scope: 'wallet:write' },
      schema: {
        tags: ['wallets'],
        summary:
          'Ask for part of your available balance to be paid out (sellers); it is held until paid. ' +
          'With `destination_id` (or a default destination) and Iris configured, it goes to the bank',
        security: bearer,
        body: Type.Object(
          {
            amount: Amount,
            currency: Currency,
            destination_id: Type.Optional(Type.String({ format: 'uuid' })),
          },
          strict,
        ),
        response: { 201: envelope(Movement), ...errorResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          ok(
            'payout requested successfully',
            await wallets.requestPayout(request.actor, request.body, idempotencyKeyOf(request)),
          ),
        ),
  );

  for (const outcome of ['paid', 'canceled'] as const) {
    app.post(
      `/admin/payouts/:id/${outcome === 'paid' ? 'complete' : 'cancel'}`,
      {
        config: {
          auth: 'required',
          idempotent: true,
          roles: ['admin'],
          scope: 'admin:write',
          audit: {
            action: outcome === 'paid' ? 'admin.payout.complete' : 'admin.payout.cancel',
            target: 'payout',
          },
        },
        schema: {
          tags: ['wallets'],
          summary:
            outcome === 'paid'
              ? 'Mark a payout paid (admins)'
              : 'Cancel a payout; the money returns (admins)',
          security: bearer,
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }, strict),
          response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request) => {
        await wallets.resolvePayout(request.actor, request.params.id, outcome);
        return ok(outcome === 'paid' ? 'payout completed' : 'payout canceled', null);
      },
    );
  }
}
