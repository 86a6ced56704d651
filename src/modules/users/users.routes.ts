import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { AccessTokens } from '../../platform/auth/tokens.js';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import {
  Jwks,
  LoginBody,
  LogoutBody,
  RefreshBody,
  RegisterBody,
  RegisteredUser,
  Session,
  UpdateMeBody,
  User,
  UserIdParams,
} from './users.schemas.js';
import { MfaChallenge } from './users.mfa-schemas.js';
import type { SessionsApi, UsersApi } from './users.api.js';
import type { SessionsService } from './users.sessions.js';

const bearer = [{ bearerAuth: [] }];

/** REST adapter of the users module: parse, call one service method, shape the answer. */
export function usersRoutes(
  http: FastifyInstance,
  {
    users,
    sessions,
    tokens,
  }: { users: UsersApi; sessions: SessionsApi & Pick<SessionsService, 'beginLogin'>; tokens: AccessTokens },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/users/register',
    {
      config: { auth: 'optional', ipLimit: 'registerPerIp', scope: 'sessions-only' },
      schema: {
        tags: ['users'],
        summary: 'Register a buyer or seller (an admin may also create admins)',
        body: RegisterBody,
        response: { 201: envelope(RegisteredUser), ...errorResponses(400, 401, 403, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const user = await users.register(request.body, request.actor);
      return reply.status(201).send(ok('register successfully', user));
    },
  );

  app.post(
    '/users/login',
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['users'],
        summary: 'Log in with email and password (with TOTP on: a challenge for POST /auth/login/mfa)',
        body: LoginBody,
        response: {
          200: envelope(Type.Union([Session, MfaChallenge])),
          ...errorResponses(400, 401, 403, 429, 503),
        },
      },
    },
    async (request) => {
      const result = await sessions.beginLogin(request.body, request.ip);
      return ok('mfa_required' in result ? 'enter your two-factor code' : 'login successfully', result);
    },
  );

  app.get(
    '/users/me',
    {
      config: {
        auth: 'required',
        scope: 'profile:read',
        mfaEnrolment: true,
        audit: { action: 'user.profile.read', subject: 'actor', repeatedRead: true },
      },
      schema: {
        tags: ['users'],
        summary: 'The caller’s own profile',
        security: bearer,
        response: { 200: envelope(User), ...errorResponses(401, 429) },
      },
    },
    async (request) =>
      ok('get profile successfully', await users.retrieve(request.actor, request.actor!.userId)),
  );

  app.patch(
    '/users/me',
    {
      config: {
        auth: 'required',
        scope: 'sessions-only',
        audit: { action: 'user.profile.update', subject: 'actor' },
      },
      schema: {
        tags: ['users'],
        summary: 'Change the caller’s name, email or password',
        security: bearer,
        body: UpdateMeBody,
        response: { 200: envelope(User), ...errorResponses(400, 401, 409, 429, 503) },
      },
    },
    async (request) =>
      ok(
        'update profile successfully',
        await users.updateOwnProfile(request.actor, request.body, request.ip),
      ),
  );

  app.get(
    '/users/:id',
    {
      config: {
        auth: 'required',
        scope: 'profile:read',
        audit: { action: 'user.profile.read', target: 'user', subject: 'param', repeatedRead: true },
      },
      schema: {
        tags: ['users'],
        summary: 'A user’s profile: your own, or anyone’s for an admin',
        security: bearer,
        params: UserIdParams,
        response: { 200: envelope(User), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      return ok('get user successfully', await users.retrieve(request.actor, request.params.id));
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new token pair (the old one is spent)',
        body: RefreshBody,
        response: { 200: envelope(Session), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      return ok('refresh successfully', await sessions.refresh(request.body.refresh_token));
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { auth: 'required', scope: 'sessions-only', mfaEnrolment: true },
      schema: {
        tags: ['auth'],
        summary: 'End one session (by its refresh token) or all of the caller’s sessions',
        security: bearer,
        body: LogoutBody,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 429) },
      },
      // The body is optional: no body means "end all my sessions".
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      await sessions.logout(request.actor, request.body.refresh_token);
      return ok('logout successfully', null);
    },
  );

  app.get(
    '/.well-known/jwks.json',
    { schema: { tags: ['auth'], summary: 'Public keys that verify access tokens', response: { 200: Jwks } } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return tokens.jwks();
    },
  );
}
