import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import { EVENT_TYPES } from './webhooks.rules.js';
import type { WebhooksService } from './webhooks.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Id = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);
const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

const Endpoint = Type.Object({
  id: Type.String({ format: 'uuid' }),
  owner_id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  event_types: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  failure_streak: Type.Integer(),
  created_at: Timestamp,
  disabled_at: NullableTimestamp,
});
const CreatedEndpoint = Type.Intersect([
  Endpoint,
  Type.Object({
    secret: Type.String({ description: 'signing secret for Mamlaka-Signature; shown only now' }),
  }),
]);
const Delivery = Type.Object({
  id: Type.String({ format: 'uuid' }),
  endpoint_id: Type.String({ format: 'uuid' }),
  event_id: Type.String({ format: 'uuid' }),
  event_type: Type.String(),
  payload: Type.String({ description: 'the exact JSON body sent' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  next_attempt_at: Timestamp,
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
  delivered_at: NullableTimestamp,
  attempt_log: Type.Array(
    Type.Object({
      attempted_at: Timestamp,
      status_code: Type.Union([Type.Integer(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
      duration_ms: Type.Integer(),
    }),
  ),
});

/** REST adapter of outbound webhooks: endpoints, their deliveries, replays. */
export function webhooksRoutes(http: FastifyInstance, { webhooks }: { webhooks: WebhooksService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/webhooks',
    {
      config: { auth: 'required', scope: 'webhooks:write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Register an endpoint for your events; the signing secret is returned only here',
        security: bearer,
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2048 }),
            event_types: Type.Array(
              Type.Union([Type.Literal('*'), ...EVENT_TYPES.map((type) => Type.Literal(type))]),
              { minItems: 1, maxItems: 20 },
            ),
          },
          strict,
        ),
        response: { 201: envelope(CreatedEndpoint), ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          ok('create webhook endpoint successfully', await webhooks.register(request.actor, request.body)),
        ),
  );

  app.get(
    '/webhooks',
    {
      config: { auth: 'required', scope: 'webhooks:read' },
      schema: {
        tags: ['webhooks'],
        summary: 'Your webhook endpoints (all of them for admins), without secrets',
        security: bearer,
        response: { 200: envelope(Type.Array(Endpoint)), ...errorResponses(401, 429) },
      },
    },
    async (request) => ok('get webhook endpoints successfully', await webhooks.list(request.actor)),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { auth: 'required', scope: 'webhooks:write' },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete an endpoint with its deliveries',
        security: bearer,
        params: Id,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      await webhooks.remove(request.actor, request.params.id);
      return ok('delete webhook endpoint successfully', null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { auth: 'required', scope: 'webhooks:read' },
      schema: {
        tags: ['webhooks'],
        summary: 'The latest deliveries to an endpoint, each with its attempt log',
        security: bearer,
        params: Id,
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
          strict,
        ),
        response: { 200: envelope(Type.Array(Delivery)), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      ok(
        'get webhook deliveries successfully',
        await webhooks.deliveries(request.actor, request.params.id, request.query.limit),
      ),
  );

  app.post(
    '/webhooks/deliveries/:id/replay',
    {
      config: {
        auth: 'required',
        scope: 'webhooks:write',
        audit: { action: 'webhook.delivery.replay', target: 'webhook_delivery' },
      },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery’s payload again, as a new delivery due now',
        security: bearer,
        params: Id,
        response: { 201: envelope(Delivery), ...errorResponses(400, 401, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          ok('replay webhook delivery successfully', await webhooks.replay(request.actor, request.params.id)),
        ),
  );
}
