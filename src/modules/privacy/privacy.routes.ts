import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { auditOriginOf } from '../../platform/audit/audit.hook.js';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { PrivacyService } from './privacy.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Consent = Type.Object({
  granted: Type.Boolean(),
  recorded_at: Nullable(
    Type.String({ format: 'date-time', description: 'null: never chosen (the default)' }),
  ),
});
const ConsentRecord = Type.Object({
  purpose: Type.String({ description: 'marketing_email or do_not_sell' }),
  granted: Type.Boolean(),
  source: Type.String(),
  ip: Nullable(Type.String()),
  recorded_at: Type.String({ format: 'date-time' }),
});
const PrivacySettings = Type.Object({
  do_not_sell: Type.Boolean({
    description: 'CCPA "do not sell or share": webhooks to others then carry no trace of you',
  }),
  consents: Type.Object({ marketing_email: Consent, do_not_sell: Consent }),
  history: Type.Array(ConsentRecord, { description: 'every choice, newest first' }),
});
const Erased = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Literal('erased'),
  api_clients_revoked: Type.Integer(),
});

/** REST adapter of the privacy module: choices, export, erasure. Always in process (it needs the database). */
export function privacyRoutes(http: FastifyInstance, { privacy }: { privacy: PrivacyService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/users/me/privacy',
    {
      config: {
        auth: 'required',
        scope: 'sessions-only',
        audit: { action: 'user.privacy.read', subject: 'actor' },
      },
      schema: {
        tags: ['users'],
        summary: 'Your privacy choices (do not sell or share, consents) with their history',
        security: bearer,
        response: { 200: envelope(PrivacySettings), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => ok('get privacy settings successfully', await privacy.settings(request.actor)),
  );

  app.put(
    '/users/me/privacy',
    {
      config: {
        auth: 'required',
        scope: 'sessions-only',
        audit: { action: 'user.privacy.update', subject: 'actor' },
      },
      schema: {
        tags: ['users'],
        summary: 'Change your privacy choices; each change is recorded with its time and address',
        security: bearer,
        body: Type.Object(
          { do_not_sell: Type.Optional(Type.Boolean()), marketing_email: Type.Optional(Type.Boolean()) },
          { ...strict, minProperties: 1 },
        ),
        response: { 200: envelope(PrivacySettings), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) =>
      ok(
        'update privacy settings successfully',
        await privacy.updateSettings(request.actor, request.body, auditOriginOf(request)),
      ),
  );

  app.get(
    '/users/me/export',
    {
      config: { auth: 'required', scope: 'sessions-only' },
      schema: {
        tags: ['users'],
        summary: 'Everything held about you as one JSON document, to download (GDPR Art. 20)',
        description:
          'Not the API envelope: a file. Profile, preferences, consents, orders, payments, refunds, ' +
          'wallet history, sessions, webhooks, API clients and the audit entries about you, ' +
          'with `schema_version` and `generated_at`; a section cut at its cap is named in `truncated`.',
        security: bearer,
        response: {
          200: Type.Object(
            {
              schema_version: Type.Integer(),
              generated_at: Type.String({ format: 'date-time' }),
              truncated: Type.Array(Type.String()),
            },
            { additionalProperties: true },
          ),
          ...errorResponses(401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const document = await privacy.export(request.actor, auditOriginOf(request));
      const day = document.generated_at.slice(0, 10);
      reply.header('content-disposition', `attachment; filename="mamlaka-export-${day}.json"`);
      reply.header('cache-control', 'no-store');
      return reply.send(document);
    },
  );

  app.delete(
    '/users/me',
    {
      config: { auth: 'required', scope: 'sessions-only' },
      schema: {
        tags: ['users'],
        summary: 'Erase your account: personal data anonymised, sessions and API clients revoked',
        description:
          'Payments, refunds and ledger entries stay under your account id, which no longer leads ' +
          'to you. Refused (409 erasure_blocked, each blocker in `errors`) while you have pending ' +
          'payments, undelivered orders, pending refunds, a wallet balance or a payout in progress.',
        security: bearer,
        body: Type.Object(
          {
            password: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 128,
                description: 'required when your account has a password',
              }),
            ),
          },
          strict,
        ),
        response: { 200: envelope(Erased), ...errorResponses(400, 401, 403, 404, 409, 429, 503) },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) =>
      ok('account erased', await privacy.eraseSelf(request.actor, request.body, auditOriginOf(request))),
  );

  app.delete(
    '/admin/users/:id',
    {
      config: { auth: 'required', roles: ['admin'], scope: 'sessions-only' },
      schema: {
        tags: ['admin'],
        summary:
          'Erase an account on its owner’s behalf, as DELETE /users/me does (admins, not on themselves)',
        security: bearer,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, strict),
        response: { 200: envelope(Erased), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      ok(
        'account erased',
        await privacy.eraseByAdmin(request.actor, request.params.id, auditOriginOf(request)),
      ),
  );
}
