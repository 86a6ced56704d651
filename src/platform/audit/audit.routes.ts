import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { errorResponses, paginatedEnvelope } from '../http/envelope.js';
import { invalidField } from '../errors.js';
import { type AuditLog, MAX_AUDIT_PAGE } from './audit.log.js';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const AuditEntrySchema = Type.Object({
  sequence: Type.String({ description: 'position in the journal; larger is later' }),
  occurred_at: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    id: Nullable(Type.String()),
    role: Nullable(Type.String()),
    client_id: Nullable(Type.String({ description: 'the API client, for an OAuth client token' })),
  }),
  action: Type.String({ description: 'e.g. user.profile.read, admin.user.disable, user.erase' }),
  target: Nullable(Type.Object({ kind: Type.String(), id: Type.String() })),
  subject_user_id: Nullable(Type.String({ description: 'the person whose data was read or changed' })),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  status_code: Nullable(Type.Integer({ description: 'the HTTP status the request was answered with' })),
});

const AuditQuery = Type.Object(
  {
    actor_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    subject_user_id: Type.Optional(Type.String({ format: 'uuid' })),
    action: Type.Optional(
      Type.String({
        pattern: '^[a-z_]+(\\.[a-z_]+)*(\\.\\*)?$',
        maxLength: 80,
        description: 'an exact action, or a prefix ending in .* (admin.*)',
      }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'before' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AUDIT_PAGE, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

/** GET /admin/audit: the audit log for admins, newest first, filtered, a keyset page at a time. */
export function auditRoutes(http: FastifyInstance, { log }: { log: AuditLog }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/admin/audit',
    {
      config: {
        auth: 'required',
        roles: ['admin'],
        scope: 'admin:read',
        audit: { action: 'admin.audit.read' },
      },
      schema: {
        tags: ['admin'],
        summary: 'The audit log: reads and changes of personal data and admin actions (admins)',
        security: [{ bearerAuth: [] }],
        querystring: AuditQuery,
        response: { 200: paginatedEnvelope(AuditEntrySchema), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const { query } = request;
      const limit = query.limit ?? 50;
      const from = query.from ? new Date(query.from) : undefined;
      const to = query.to ? new Date(query.to) : undefined;
      if (from && to && from >= to) throw invalidField('to', 'invalid_range', 'to must be after from');
      const page = await log.list({
        actorId: query.actor_id,
        subjectUserId: query.subject_user_id,
        action: query.action,
        from,
        to,
        limit,
        cursor: query.cursor,
      });
      return {
        meta: {
          success: true as const,
          message: 'get audit log successfully',
          pagination: { limit, next_cursor: page.nextCursor, has_more: page.nextCursor !== null },
        },
        results: page.items,
      };
    },
  );
}
