import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ALL_SCOPES } from '../../platform/auth/scopes.js';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { OAuthService } from './oauth.service.js';

const strict = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const ScopeName = Type.Union(ALL_SCOPES.map((scope) => Type.Literal(scope)));

const Client = Type.Object({
  id: Type.String({ description: 'the client_id for the token endpoint' }),
  name: Type.String(),
  owner_id: Type.String({ format: 'uuid' }),
  scopes: Type.Array(Type.String()),
  created_at: Timestamp,
  secret_rotated_at: Timestamp,
  last_used_at: Type.Union([Timestamp, Type.Null()]),
  revoked_at: Type.Union([Timestamp, Type.Null()]),
});
const ClientWithSecret = Type.Intersect([
  Client,
  Type.Object({ secret: Type.String({ description: 'the client_secret; shown only now, stored hashed' }) }),
]);
const ClientId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, strict);
// Only a signed-in seller or admin manages API clients: a client token must not mint more.
const sessionsOnly = { auth: 'required', roles: ['seller', 'admin'], scope: 'sessions-only' } as const;

/** REST adapter of API client management (the envelope API, for signed-in sellers and admins). */
export function oauthClientsRoutes(http: FastifyInstance, { oauth }: { oauth: OAuthService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/oauth/clients',
    {
      config: { ...sessionsOnly },
      schema: {
        tags: ['oauth'],
        summary: 'Create an API client (client credentials) with scopes; its secret is shown only now',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Array(ScopeName, { minItems: 1, maxItems: ALL_SCOPES.length, uniqueItems: true }),
          },
          strict,
        ),
        response: { 201: envelope(ClientWithSecret), ...errorResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(ok('create api client successfully', await oauth.create(request.actor, request.body))),
  );

  app.get(
    '/oauth/clients',
    {
      config: { ...sessionsOnly },
      schema: {
        tags: ['oauth'],
        summary: 'Your API clients, newest first (up to 100), revoked ones included',
        response: { 200: envelope(Type.Array(Client)), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => ok('list api clients successfully', await oauth.list(request.actor)),
  );

  app.post(
    '/oauth/clients/:id/rotate-secret',
    {
      config: { ...sessionsOnly },
      schema: {
        tags: ['oauth'],
        summary:
          'Replace the secret (shown only now); the old one and every token issued stop working at once',
        params: ClientId,
        response: { 200: envelope(ClientWithSecret), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      ok('rotate api client secret successfully', await oauth.rotateSecret(request.actor, request.params.id)),
  );

  app.delete(
    '/oauth/clients/:id',
    {
      config: { ...sessionsOnly },
      schema: {
        tags: ['oauth'],
        summary: 'Revoke an API client and every token it holds; idempotent',
        params: ClientId,
        response: { 204: Type.Null({ description: 'revoked' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await oauth.revoke(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
