import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import { MFA_ROLES, type MfaService } from './users.mfa.js';
import { CodeBody, DisableTotpBody, MfaStatus, RecoveryCodes, TotpEnrolment } from './users.mfa-schemas.js';

const bearer = [{ bearerAuth: [] }];
// Open to a session that may only enrol, the one thing such a session is for.
const enrolment = { auth: 'required', roles: MFA_ROLES, scope: 'sessions-only', mfaEnrolment: true } as const;
const signedIn = { auth: 'required', roles: MFA_ROLES, scope: 'sessions-only' } as const;

/** Two-factor sign-in management for sellers and admins (in process, like users.recovery-routes.ts). */
export function usersMfaRoutes(http: FastifyInstance, { mfa }: { mfa: MfaService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/users/me/mfa',
    {
      config: enrolment,
      schema: {
        tags: ['users'],
        summary: 'Whether two-factor sign-in is on, and recovery codes left (sellers and admins)',
        security: bearer,
        response: { 200: envelope(MfaStatus), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => ok('get two-factor status successfully', await mfa.status(request.actor)),
  );

  app.post(
    '/users/me/mfa/totp',
    {
      config: enrolment,
      schema: {
        tags: ['users'],
        summary: 'Start setting up a TOTP authenticator: its secret, not in force until confirmed',
        security: bearer,
        response: { 200: envelope(TotpEnrolment), ...errorResponses(401, 403, 409, 429) },
      },
    },
    async (request) => ok('scan the code, then confirm it', await mfa.start(request.actor)),
  );

  app.post(
    '/users/me/mfa/totp/confirm',
    {
      config: enrolment,
      schema: {
        tags: ['users'],
        summary: 'Turn TOTP on with a first code; answers the recovery codes, shown this once',
        security: bearer,
        body: CodeBody,
        response: { 200: envelope(RecoveryCodes), ...errorResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request) => ok('two-factor sign-in is on', await mfa.confirm(request.actor, request.body.code)),
  );

  app.delete(
    '/users/me/mfa/totp',
    {
      config: signedIn,
      schema: {
        tags: ['users'],
        summary: 'Turn TOTP off, with a current code or the password (not for admins where it is required)',
        security: bearer,
        body: DisableTotpBody,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 403, 409, 429, 503) },
      },
    },
    async (request) => {
      await mfa.disable(request.actor, request.body, request.ip);
      return ok('two-factor sign-in is off', null);
    },
  );

  app.post(
    '/users/me/mfa/recovery-codes',
    {
      config: signedIn,
      schema: {
        tags: ['users'],
        summary: 'New recovery codes for a current code; the old ones stop working',
        security: bearer,
        body: CodeBody,
        response: { 200: envelope(RecoveryCodes), ...errorResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request) =>
      ok(
        'new recovery codes',
        await mfa.regenerateRecoveryCodes(request.actor, request.body.code, request.ip),
      ),
  );
}
