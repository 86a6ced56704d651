import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ALL_SCOPES } from '../../platform/auth/scopes.js';
import { isAppError } from '../../platform/errors.js';
import { HTTP_STATUS } from '../../platform/http/error-handler.js';
import { clientCredentialsOf, oauthErrors } from './oauth.rules.js';
import type { OAuthService } from './oauth.service.js';

/** A token request is a few short fields; anything bigger is not one. */
const FORM_LIMIT_BYTES = 8 * 1024;
const FORM = 'application/x-www-form-urlencoded';

const OAuthError = Type.Object(
  { error: Type.String(), error_description: Type.Optional(Type.String()) },
  { description: 'RFC 6749 §5.2 error' },
);
const oauthErrorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, OAuthError]));
const field = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const ClientAuthFields = {
  client_id: field(200),
  client_secret: field(200),
};
const TokenForm = Type.Object({
  grant_type: field(100),
  scope: field(1000),
  ...ClientAuthFields,
});
const TokenParameterForm = Type.Object({
  token: field(8192),
  token_type_hint: field(100),
  ...ClientAuthFields,
});
// Basic (client_secret_basic), or the credentials in the form (client_secret_post).
const clientAuth: Record<string, string[]>[] = [{ clientBasic: [] }, {}];

export interface ServerMetadataUrls {
  issuer: string;
  publicUrl: string;
}

/**
 * The form as the RFCs define it: each parameter at most once (§3.1: "MUST NOT be included
 * more than once"); a repeated one becomes a list, which the schema then refuses.
 */
function parseForm(body: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = form[name];
    form[name] = seen === undefined ? value : [seen, value].flat();
  }
  return form;
}

/** RFC 6749 §5.2: `{error, error_description}`; 401 with a Basic challenge when Basic was tried. */
function sendOAuthError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const basicTried = /^Basic\b/i.test(request.headers.authorization ?? '');
  if (isAppError(error)) {
    if (error.details.retryAfterMs !== undefined)
      reply.header('retry-after', Math.max(1, Math.ceil(error.details.retryAfterMs / 1000)));
    if (error.code === 'invalid_client' && basicTried)
      reply.header('www-authenticate', 'Basic realm="mamlaka"');
    return reply
      .status(HTTP_STATUS[error.kind])
      .send({ error: error.code, error_description: error.message });
  }
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    request.log.error({ err: error }, 'oauth request failed');
    return reply.status(500).send({ error: 'server_error' });
  }
  return reply.status(status === 413 ? 413 : 400).send({
    error: 'invalid_request',
    error_description: error.validation ? 'malformed or repeated parameters' : error.message,
  });
}

function requireForm(request: FastifyRequest): void {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith(FORM)) throw oauthErrors.invalidRequest(`the body must be ${FORM}`);
}

/**
 * The OAuth 2.0 endpoints, answering in the RFCs' own formats rather than the API
 * envelope: the token endpoint (RFC 6749 §4.4, client credentials), introspection
 * (RFC 7662) and revocation (RFC 7009), in a plugin of their own for the form parser and
 * the error format; and the server metadata (RFC 8414).
 */
export function oauthProtocolRoutes(
  app: FastifyInstance,
  { oauth, urls }: { oauth: OAuthService; urls: ServerMetadataUrls },
) {
  const base = urls.publicUrl.replace(/\/+$/, '');
  const metadata = {
    issuer: urls.issuer,
    token_endpoint: `${base}/oauth/token`,
    introspection_endpoint: `${base}/oauth/introspect`,
    revocation_endpoint: `${base}/oauth/revoke`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    grant_types_supported: ['client_credentials'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...ALL_SCOPES],
    service_documentation: `${base}/docs/`,
  };
  app.get(
    '/.well-known/oauth-authorization-server',
    {
      schema: {
        tags: ['oauth'],
        summary: 'OAuth 2.0 authorization server metadata (RFC 8414)',
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async () => metadata,
  );

  void app.register(async (scope) => {
    const child = scope.withTypeProvider<TypeBoxTypeProvider>();
    child.addContentTypeParser(
      FORM,
      { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, parseForm(body as string)),
    );
    child.setErrorHandler(sendOAuthError);
    // RFC 6749 §5.1: tokens and their errors are never cached.
    child.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      reply.header('pragma', 'no-cache');
      return payload;
    });

    child.post(
      '/oauth/token',
      {
        // Each request checks a client secret, as a login checks a password: the same budget per address.
        config: { ipLimit: 'loginPerIp' },
        schema: {
          tags: ['oauth'],
          summary: 'Get an access token with client credentials (RFC 6749 §4.4); Basic or form client auth',
          consumes: [FORM],
          security: clientAuth,
          body: TokenForm,
          response: {
            200: Type.Object({
              access_token: Type.String(),
              token_type: Type.Literal('Bearer'),
              expires_in: Type.Integer(),
              scope: Type.String(),
            }),
            ...oauthErrorResponses(400, 401, 429),
          },
        },
      },
      async (request) => {
        requireForm(request);
        const credentials = clientCredentialsOf(request.headers.authorization, request.body);
        if (request.body.grant_type === undefined) throw oauthErrors.invalidRequest('grant_type is required');
        if (request.body.grant_type !== 'client_credentials') throw oauthErrors.unsupportedGrantType();
        return oauth.issueToken(credentials, request.body.scope);
      },
    );

    child.post(
      '/oauth/introspect',
      {
        config: { ipLimit: 'loginPerIp' },
        schema: {
          tags: ['oauth'],
          summary: "Introspect one of the calling client's tokens (RFC 7662); anything else is inactive",
          consumes: [FORM],
          security: clientAuth,
          body: TokenParameterForm,
          response: {
            200: Type.Object(
              {
                active: Type.Boolean(),
                scope: Type.Optional(Type.String()),
                client_id: Type.Optional(Type.String()),
                sub: Type.Optional(Type.String()),
                exp: Type.Optional(Type.Integer()),
                iat: Type.Optional(Type.Integer()),
                iss: Type.Optional(Type.String()),
                aud: Type.Optional(Type.String()),
                token_type: Type.Optional(Type.String()),
              },
              { description: 'RFC 7662 §2.2' },
            ),
            ...oauthErrorResponses(400, 401, 429),
          },
        },
      },
      async (request) => {
        requireForm(request);
        const credentials = clientCredentialsOf(request.headers.authorization, request.body);
        if (!request.body.token) throw oauthErrors.invalidRequest('token is required');
        return oauth.introspect(credentials, request.body.token);
      },
    );

    child.post(
      '/oauth/revoke',
      {
        config: { ipLimit: 'loginPerIp' },
        schema: {
          tags: ['oauth'],
          summary: "Revoke one of the calling client's tokens, and so its token family (RFC 7009)",
          consumes: [FORM],
          security: clientAuth,
          body: TokenParameterForm,
          response: {
            200: Type.Unknown({
              description: 'empty: revoked, or not a token of this client (the same answer)',
            }),
            ...oauthErrorResponses(400, 401, 429),
          },
        },
      },
      async (request, reply) => {
        requireForm(request);
        const credentials = clientCredentialsOf(request.headers.authorization, request.body);
        if (!request.body.token) throw oauthErrors.invalidRequest('token is required');
        await oauth.revokeToken(credentials, request.body.token);
        return reply.status(200).send();
      },
    );
  });
}
