import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { BankPayouts } from './payouts.bank.js';
import { IRIS_BANK_CODES, MAX_DESTINATIONS, MAX_HOLDER_NAME } from './payouts.rules.js';
import type { PayoutsService } from './payouts.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const sellerRead = { auth: 'required', roles: ['seller'], scope: 'wallet:read' } as const;
const sellerWrite = { auth: 'required', roles: ['seller'], scope: 'wallet:write' } as const;

/** Iris's notifications are a few hundred bytes; anything far bigger is not one. */
const NOTIFICATION_BODY_LIMIT_BYTES = 16 * 1024;

const Destination = Type.Object({
  id: Type.String({ format: 'uuid' }),
  // An enum in the answer (clients learn the banks from the contract); requests keep the
  // service's own check, which names the field as `unknown_bank_code`.
  bank_code: Type.String({ enum: [...IRIS_BANK_CODES] }),
  account_last4: Type.String({ description: 'the last four digits; the full number is never shown' }),
  holder_name: Type.String(),
  is_default: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
});
const Schedule = Type.Object({
  frequency: Type.Union([Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('off')]),
  weekday: Type.Union([Type.Integer(), Type.Null()], { description: '0 = Sunday (UTC), weekly only' }),
  minimum_amount: Type.Union([Type.String(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  destination_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  last_run_on: Type.Union([Type.String(), Type.Null()], { description: 'UTC day of the last run' }),
});

/** The raw bytes of a request, kept for a signature over them. */
const rawBodies = new WeakMap<FastifyRequest, string>();

/** REST adapter of payouts: sellers' destinations and schedules, and Iris's notifications. */
export function payoutsRoutes(http: FastifyInstance, deps: { payouts: PayoutsService; bank: BankPayouts }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const { payouts, bank } = deps;

  app.get(
    '/sellers/me/payout-destinations',
    {
      config: sellerRead,
      schema: {
        tags: ['payouts'],
        summary: `Your payout destinations (bank accounts, at most ${MAX_DESTINATIONS})`,
        security: bearer,
        response: { 200: envelope(Type.Array(Destination)), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) =>
      ok('get payout destinations successfully', await payouts.listDestinations(request.actor)),
  );

  app.post(
    '/sellers/me/payout-destinations',
    {
      config: sellerWrite,
      schema: {
        tags: ['payouts'],
        summary: 'Add a bank account to be paid to; the first one is the default',
        security: bearer,
        body: Type.Object(
          {
            bank_code: Type.String({ maxLength: 32, description: IRIS_BANK_CODES.join(', ') }),
            account_number: Type.String({ maxLength: 40 }),
            holder_name: Type.String({ maxLength: MAX_HOLDER_NAME }),
            is_default: Type.Optional(Type.Boolean()),
          },
          strict,
        ),
        response: { 201: envelope(Destination), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(ok('payout destination created', await payouts.createDestination(request.actor, request.body))),
  );

  app.delete(
    '/sellers/me/payout-destinations/:id',
    {
      config: sellerWrite,
      schema: {
        tags: ['payouts'],
        summary: 'Remove a payout destination (payouts already sent still arrive)',
        security: bearer,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, strict),
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      await payouts.removeDestination(request.actor, request.params.id);
      return ok('payout destination removed', null);
    },
  );

  app.get(
    '/sellers/me/payout-schedule',
    {
      config: sellerRead,
      schema: {
        tags: ['payouts'],
        summary: 'When you are paid automatically',
        security: bearer,
        response: { 200: envelope(Schedule), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => ok('get payout schedule successfully', await payouts.retrieveSchedule(request.actor)),
  );

  app.put(
    '/sellers/me/payout-schedule',
    {
      config: sellerWrite,
      schema: {
        tags: ['payouts'],
        summary: 'Be paid your whole available balance daily or weekly once it reaches a minimum (or `off`)',
        security: bearer,
        body: Type.Object(
          {
            frequency: Type.Union([Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('off')]),
            weekday: Type.Optional(Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday (UTC)' })),
            minimum_amount: Type.String({ maxLength: 32 }),
            currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
            destination_id: Type.Optional(Type.String({ format: 'uuid' })),
          },
          strict,
        ),
        response: { 200: envelope(Schedule), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) =>
      ok('payout schedule updated', await payouts.updateSchedule(request.actor, request.body)),
  );

  // Its own scope: JSON is parsed here keeping the raw bytes, which the signature covers.
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: NOTIFICATION_BODY_LIMIT_BYTES },
      (request, body, done) => {
        try {
          rawBodies.set(request, body as string);
          done(null, JSON.parse(body as string));
        } catch {
          done(Object.assign(new Error('the body is not JSON'), { statusCode: 400 }), undefined);
        }
      },
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/midtrans/iris/notifications',
      {
        // Anyone may call this without logging in: a per-IP budget and a small body bound it.
        bodyLimit: NOTIFICATION_BODY_LIMIT_BYTES,
        config: { ipLimit: 'midtransPerIp' },
        schema: {
          tags: ['payouts'],
          summary:
            'Midtrans Iris payout notification (Iris-Signature = SHA-512 hex of the body + merchant key)',
          headers: Type.Object({ 'iris-signature': Type.Optional(Type.String({ maxLength: 256 })) }),
          body: Type.Object(
            {
              reference_no: Type.String({ minLength: 1, maxLength: 100 }),
              amount: Type.String({ maxLength: 32 }),
              status: Type.String({ maxLength: 32 }),
              error_code: Type.Optional(Type.String({ maxLength: 200 })),
              error_message: Type.Optional(Type.String({ maxLength: 1000 })),
            },
            { additionalProperties: true },
          ),
          response: {
            200: envelope(
              Type.Object({ outcome: Type.String({ description: 'applied, duplicate or ignored' }) }),
            ),
            ...errorResponses(400, 401, 404, 409, 413, 429),
          },
        },
      },
      async (request) =>
        ok('notification received', {
          outcome: await bank.receive(rawBodies.get(request) ?? '', request.headers['iris-signature']),
        }),
    );
  });
}
