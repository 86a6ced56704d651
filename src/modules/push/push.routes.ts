import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { PushService } from './push.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const base64url = (minLength: number, maxLength: number, description: string) =>
  Type.String({ minLength, maxLength, pattern: '^[A-Za-z0-9_-]+=*$', description });

// The JSON of a browser's PushSubscription (`subscription.toJSON()`), as the web app posts it.
const SubscriptionBody = Type.Object(
  {
    endpoint: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'the push service URL; https (sandbox: also http on loopback)',
    }),
    expirationTime: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'ignored' }),
    ),
    keys: Type.Object(
      {
        p256dh: base64url(80, 100, "the browser's P-256 public key"),
        auth: base64url(16, 32, "the browser's 16-byte auth secret"),
      },
      strict,
    ),
  },
  strict,
);

const Subscription = Type.Object({
  id: Type.String({ format: 'uuid' }),
  endpoint: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

/** REST adapter of Web Push: the server's VAPID key and the caller's browser subscriptions. */
export function pushRoutes(http: FastifyInstance, { push }: { push: PushService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/push/vapid-key',
    {
      schema: {
        tags: ['push'],
        summary: 'The VAPID public key a service worker subscribes with (its applicationServerKey)',
        response: {
          200: envelope(Type.Object({ public_key: Type.String({ description: 'base64url P-256 point' }) })),
          ...errorResponses(429),
        },
      },
    },
    async () => ok('get vapid key successfully', push.vapidKey()),
  );

  app.post(
    '/push/subscriptions',
    {
      config: { auth: 'required', scope: 'sessions-only' },
      schema: {
        tags: ['push'],
        summary: 'Subscribe this browser to push notifications; the same endpoint again updates it',
        security: bearer,
        body: SubscriptionBody,
        response: { 201: envelope(Subscription), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          ok(
            'create push subscription successfully',
            await push.subscribe(request.actor, request.body, request.headers['user-agent']),
          ),
        ),
  );

  app.delete(
    '/push/subscriptions/:id',
    {
      config: { auth: 'required', scope: 'sessions-only' },
      schema: {
        tags: ['push'],
        summary: 'Unsubscribe one of your browsers; its queued pushes are dropped',
        security: bearer,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, strict),
        response: { 204: Type.Null({ description: 'unsubscribed' }), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      await push.unsubscribe(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
