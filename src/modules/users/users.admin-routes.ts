import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok, paginatedEnvelope } from '../../platform/http/envelope.js';
import { UserIdParams } from './users.schemas.js';
import type { UsersService } from './users.service.js';

const bearer = [{ bearerAuth: [] }];
const Timestamp = Type.String({ format: 'date-time' });

const AdminUser = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: Type.String({ description: 'buyer, seller or admin' }),
  status: Type.String({ description: 'active or disabled' }),
  created_at: Timestamp,
  updated_at: Timestamp,
  disabled_at: Type.Union([Timestamp, Type.Null()]),
  email_verified: Type.Boolean(),
});

const ListUsersQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 254,
        description:
          'a whole e-mail address (any case) or a user id; names and e-mails are encrypted at rest, so partial matches are not possible',
      }),
    ),
    role: Type.Optional(Type.Enum(['buyer', 'seller', 'admin'])),
    status: Type.Optional(Type.Enum(['active', 'disabled'])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { additionalProperties: false },
);

/**
 * Admins' account management. Always over the in-process service, in the split gateway
 * too: it has the database, and disabling must revoke access tokens in the revocation
 * store the gateway itself checks.
 */
export function usersAdminRoutes(http: FastifyInstance, { users }: { users: UsersService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/admin/users',
    {
      config: {
        auth: 'required',
        roles: ['admin'],
        scope: 'admin:read',
        audit: { action: 'admin.user.list' },
      },
      schema: {
        tags: ['admin'],
        summary: 'Accounts, newest first: find one by exact email or id, filter by role or status (admins)',
        security: bearer,
        querystring: ListUsersQuery,
        response: { 200: paginatedEnvelope(AdminUser), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const page = await users.list(request.actor, { ...request.query, limit });
      return {
        meta: {
          success: true as const,
          message: 'get users successfully',
          pagination: { limit, next_cursor: page.nextCursor, has_more: page.nextCursor !== null },
        },
        results: page.items,
      };
    },
  );

  for (const action of ['disable', 'enable'] as const) {
    app.post(
      `/admin/users/:id/${action}`,
      {
        config: {
          auth: 'required',
          roles: ['admin'],
          scope: 'admin:write',
          audit: { action: `admin.user.${action}`, target: 'user', subject: 'param' },
        },
        schema: {
          tags: ['admin'],
          summary:
            action === 'disable'
              ? 'Disable an account and end all its sessions; idempotent (admins, not on themselves)'
              : 'Let a disabled account log in again; idempotent (admins)',
          security: bearer,
          params: UserIdParams,
          response: {
            200: envelope(AdminUser),
            ...errorResponses(400, 401, 403, 404, ...(action === 'disable' ? [409] : []), 429),
          },
        },
      },
      async (request) =>
        action === 'disable'
          ? ok('user disabled', await users.disable(request.actor, request.params.id))
          : ok('user enabled', await users.enable(request.actor, request.params.id)),
    );
  }
}
