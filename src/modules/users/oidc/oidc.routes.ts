import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { isAppError } from '../../../platform/errors.js';
import { envelope, errorResponses, ok } from '../../../platform/http/envelope.js';
import { Session } from '../users.schemas.js';
import type { OidcService } from './oidc.service.js';
import { readCookie } from './oidc.rules.js';

/** The path the provider sends people back to; registered at the provider as PUBLIC_URL + this. */
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';
/** The web app's page that finishes a sign-in (web/src/auth/OidcCallbackPage.tsx). */
const WEB_APP_CALLBACK = '/signin/callback';
/**
 * Binds a sign-in to the browser that started it: without it, someone could start a sign-in
 * with their own provider account and get a victim's browser to finish it (login CSRF).
 * SameSite=Lax: sent on the provider's top-level redirect back, not on cross-site requests.
 */
const STATE_COOKIE = 'mamlaka_oidc_state';

const ProviderConfig = Type.Object({
  enabled: Type.Boolean({ description: 'whether OIDC_ISSUER is configured' }),
  name: Type.Union([Type.String(), Type.Null()], { description: 'the provider’s name for the button' }),
});
const Redirect = Type.Null({ description: 'a redirect (see the Location header)' });

/** REST adapter of Sign in with OpenID Connect. Browser navigations, except the config and the exchange. */
export function oidcRoutes(
  http: FastifyInstance,
  { oidc, publicUrl }: { oidc: OidcService; publicUrl: string },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const secure = publicUrl.startsWith('https:') ? '; Secure' : '';
  const stateCookie = (value: string, maxAgeSeconds: number) =>
    `${STATE_COOKIE}=${value}; Path=${OIDC_CALLBACK_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
  const toWebApp = (reply: FastifyReply, fragment: Record<string, string>) =>
    reply
      .header('set-cookie', stateCookie('', 0))
      .header('cache-control', 'no-store')
      .redirect(`${WEB_APP_CALLBACK}#${new URLSearchParams(fragment).toString()}`, 302);

  app.get(
    '/auth/oidc',
    {
      schema: {
        tags: ['auth'],
        summary: 'Whether sign-in with OpenID Connect is offered, and the provider’s name',
        response: { 200: envelope(ProviderConfig), ...errorResponses(429) },
      },
    },
    async () => ok('get oidc configuration successfully', oidc.publicConfig()),
  );

  app.get(
    '/auth/oidc/authorize',
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['auth'],
        summary: 'Start signing in with the OpenID provider: redirects the browser there',
        querystring: Type.Object(
          {
            return_to: Type.Optional(
              Type.String({ maxLength: 512, description: 'a path of the web app to come back to' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 302: Redirect, ...errorResponses(400, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const { url, state } = await oidc.start(request.query.return_to);
      return reply
        .header('set-cookie', stateCookie(state, 600))
        .header('cache-control', 'no-store')
        .redirect(url, 302);
    },
  );

  app.get(
    OIDC_CALLBACK_PATH,
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['auth'],
        summary:
          'Where the provider sends the browser back; redirects to the web app’s /signin/callback ' +
          'with a one-time code (or an error code) in the fragment, never a token',
        // The provider's parameters (code, state, iss, error, session_state…), read by openid-client.
        querystring: Type.Object({}, { additionalProperties: Type.String({ maxLength: 4096 }) }),
        response: { 302: Redirect, ...errorResponses(404, 429) },
      },
    },
    async (request, reply) => {
      const callbackUrl = new URL(OIDC_CALLBACK_PATH, publicUrl);
      callbackUrl.search = new URL(request.url, 'http://callback.invalid').search;
      try {
        const { code, returnTo } = await oidc.finish(
          callbackUrl,
          readCookie(request.headers.cookie, STATE_COOKIE),
        );
        return toWebApp(reply, { code, return_to: returnTo });
      } catch (error) {
        // Not configured: no sign-in can be under way, so 404 like the other routes.
        if (isAppError(error) && error.code === 'oidc_not_configured') throw error;
        // A browser navigation: the web app shows the error, not a JSON page.
        if (!isAppError(error) || error.kind === 'unavailable' || error.code === 'oidc_failed') {
          request.log.warn({ err: error }, 'oidc sign-in failed');
        }
        return toWebApp(reply, { error: isAppError(error) ? error.code : 'oidc_failed' });
      }
    },
  );

  app.post(
    '/auth/oidc/exchange',
    {
      config: { ipLimit: 'loginPerIp' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange the one-time code of a finished OpenID sign-in for a session (single use, 60 s)',
        body: Type.Object(
          { code: Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) },
          { additionalProperties: false },
        ),
        response: { 200: envelope(Session), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => ok('login successfully', await oidc.exchange(request.body.code)),
  );
}
