import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { NotificationsService } from './notifications.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Preferences = Type.Object({
  marketing: Type.Boolean({
    description: 'marketing mail; transactional mail (receipts, notices) always goes',
  }),
  updated_at: Nullable(Type.String({ format: 'date-time', description: 'when the choice was made' })),
});

const Mail = Type.Object({
  id: Type.String({ format: 'uuid' }),
  event_id: Nullable(Type.String()),
  kind: Type.String(),
  category: Type.String(),
  user_id: Nullable(Type.String()),
  to: Type.String(),
  subject: Type.String(),
  status: Type.String({ description: 'pending, sent, failed or suppressed' }),
  attempts: Type.Integer(),
  last_error: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  sent_at: Nullable(Type.String({ format: 'date-time' })),
  attempt_log: Type.Array(
    Type.Object({
      attempted_at: Type.String({ format: 'date-time' }),
      error: Nullable(Type.String()),
      duration_ms: Type.Integer(),
    }),
  ),
});

/** REST adapter of notifications: a user's mail preferences, and the admins' mail log and announcements. */
export function notificationsRoutes(
  http: FastifyInstance,
  { notifications }: { notifications: NotificationsService },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/users/me/preferences',
    {
      config: { auth: 'required', scope: 'sessions-only' },
      schema: {
        tags: ['users'],
        summary: 'Your mail preferences',
        security: bearer,
        response: { 200: envelope(Preferences), ...errorResponses(401, 429) },
      },
    },
    async (request) => ok('get preferences successfully', await notifications.preferences(request.actor)),
  );

  app.put(
    '/users/me/preferences',
    {
      config: {
        auth: 'required',
        scope: 'sessions-only',
        audit: { action: 'user.preferences.update', subject: 'actor' },
      },
      schema: {
        tags: ['users'],
        summary: 'Turn marketing mail on or off; the choice is stored with its time',
        security: bearer,
        body: Type.Object({ marketing: Type.Boolean() }, strict),
        response: { 200: envelope(Preferences), ...errorResponses(400, 401, 429) },
      },
    },
    async (request) =>
      ok(
        'update preferences successfully',
        await notifications.updatePreferences(request.actor, request.body, { ip: request.ip }),
      ),
  );

  app.get(
    '/admin/mail',
    {
      config: {
        auth: 'required',
        roles: ['admin'],
        scope: 'admin:read',
        audit: { action: 'admin.mail.list' },
      },
      schema: {
        tags: ['admin'],
        summary: 'The mail log, newest first, each mail with its delivery attempts',
        security: bearer,
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union(['pending', 'sent', 'failed', 'suppressed'].map((s) => Type.Literal(s))),
            ),
            user_id: Type.Optional(Type.String({ format: 'uuid' })),
            event_id: Type.Optional(Type.String({ format: 'uuid' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          strict,
        ),
        response: { 200: envelope(Type.Array(Mail)), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) =>
      ok(
        'get mail successfully',
        await notifications.list(request.actor, {
          status: request.query.status as 'pending' | 'sent' | 'failed' | 'suppressed' | undefined,
          userId: request.query.user_id,
          eventId: request.query.event_id,
          limit: request.query.limit,
        }),
      ),
  );

  app.post(
    '/admin/announcements',
    {
      config: {
        auth: 'required',
        roles: ['admin'],
        idempotent: true,
        scope: 'admin:write',
        audit: { action: 'admin.announcement.create' },
      },
      schema: {
        tags: ['admin'],
        summary: 'Mail an announcement to every user who accepts marketing mail',
        security: bearer,
        body: Type.Object(
          {
            subject: Type.String({ minLength: 1, maxLength: 200 }),
            text: Type.String({ minLength: 1, maxLength: 10_000 }),
          },
          strict,
        ),
        response: {
          202: envelope(Type.Object({ id: Type.String({ format: 'uuid' }), subject: Type.String() })),
          ...errorResponses(400, 401, 403, 409, 422, 429),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(ok('announcement queued', await notifications.announce(request.actor, request.body))),
  );
}
