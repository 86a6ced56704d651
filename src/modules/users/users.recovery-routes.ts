import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import {
  EmailVerified,
  MfaLoginBody,
  PasswordResetBody,
  PasswordResetConfirmBody,
  VerifyEmailBody,
} from './users.mfa-schemas.js';
import type { RecoveryService } from './users.recovery.js';
import { Session } from './users.schemas.js';
import type { SessionsService } from './users.sessions.js';

const bearer = [{ bearerAuth: [] }];

/**
 * E-mail verification, password reset and the second step of a two-factor login. Always
 * over the in-process services, in the split gateway too (as the admin routes are): it has
 * the database, and a reset must revoke access tokens in the store the gateway checks.
 * The unauthenticated ones spend the login budget per address.
 */
export function usersRecoveryRoutes(
  http: FastifyInstance,
  { recovery, sessions }: { recovery: RecoveryService; sessions: SessionsService },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/auth/verify-email',
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['auth'],
        summary: 'Confirm the e-mail address with the token of the link mailed to it',
        body: VerifyEmailBody,
        response: { 200: envelope(EmailVerified), ...errorResponses(400, 429) },
      },
    },
    async (request) => ok('email verified', await recovery.verifyEmail(request.body.token)),
  );

  app.post(
    '/auth/verify-email/resend',
    {
      config: { auth: 'required', scope: 'sessions-only' },
      schema: {
        tags: ['auth'],
        summary: 'Mail a new verification link to the caller’s address (older links stop working)',
        security: bearer,
        response: { 202: envelope(Type.Null()), ...errorResponses(401, 409, 429) },
      },
    },
    async (request, reply) => {
      await recovery.resendVerification(request.actor);
      return reply.status(202).send(ok('verification mail queued', null));
    },
  );

  app.post(
    '/auth/password-reset',
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['auth'],
        summary: 'Mail a password-reset link; the same answer whether or not the address has an account',
        body: PasswordResetBody,
        response: { 202: envelope(Type.Null()), ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await recovery.requestPasswordReset(request.body.email);
      return reply.status(202).send(ok('if the address has an account, a reset link is on its way', null));
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a reset token; ends every session of the account',
        body: PasswordResetConfirmBody,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 429, 503) },
      },
    },
    async (request) => {
      await recovery.confirmPasswordReset(request.body);
      return ok('password reset; sign in with the new password', null);
    },
  );

  app.post(
    '/auth/login/mfa',
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['auth'],
        summary: 'Second step of a two-factor login: the challenge’s token with a TOTP or recovery code',
        body: MfaLoginBody,
        response: { 200: envelope(Session), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => ok('login successfully', await sessions.completeMfaLogin(request.body, request.ip)),
  );
}
