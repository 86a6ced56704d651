import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// oidc-provider publishes no types; the few calls made here are typed below.
// @ts-expect-error no declaration file
import Provider from 'oidc-provider';

/** What the provider says about one of its accounts: the test decides, e-mail verified or not. */
export interface ProviderAccount {
  email?: string;
  email_verified?: unknown;
  name?: string;
}

interface OidcContext {
  oidc: {
    client?: { clientId: string };
    session?: { accountId?: string };
    provider: {
      Grant: new (init: { clientId: string; accountId: string }) => {
        addOIDCScope(scope: string): void;
        save(): Promise<string>;
      };
    };
  };
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's accounts by login (= subject): what the dev login form signs in as. */
  accounts: Map<string, ProviderAccount>;
  /** Environment variables that point the platform at this provider. */
  env(): Record<string, string>;
  /** Registers the client's redirect URI (the app's PUBLIC_URL + /auth/oidc/callback) and starts answering. */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 with one confidential client, PKCE
 * required, and its development login form (any password; the login is the account's
 * subject). Consent is granted without a page, as a first-party provider would. The
 * provider is built once the app's redirect URI is known (`register`): the app discovers it
 * lazily, on its first sign-in.
 */
export async function startOidcProvider(): Promise<TestOidcProvider> {
  let handler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const server = createServer((request, response) => {
    if (handler) return handler(request, response);
    response.statusCode = 503;
    response.end('not registered yet');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'mamlaka-test';
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map<string, ProviderAccount>();

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    env: () => ({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret }),
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        pkce: { required: () => true },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
        cookies: { keys: [randomBytes(16).toString('hex')] },
        // Set, so the provider does not print a notice for each default.
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
        features: { devInteractions: { enabled: true } },
        findAccount: (_ctx: unknown, sub: string) => {
          const account = accounts.get(sub);
          if (!account) return undefined;
          return { accountId: sub, claims: () => ({ sub, ...account }) };
        },
        loadExistingGrant: async (ctx: OidcContext) => {
          const accountId = ctx.oidc.session?.accountId;
          if (!accountId || !ctx.oidc.client) return undefined;
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
          grant.addOIDCScope('openid email profile');
          await grant.save();
          return grant;
        },
      }) as { callback(): (request: IncomingMessage, response: ServerResponse) => void };
      handler = provider.callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Cookies per origin, enough for one person's trip between the app and the provider. */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  header(url: URL): string | undefined {
    const jar = this.jars.get(url.origin);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(url: URL, response: Response): void {
    const jar = this.jars.get(url.origin) ?? new Map<string, string>();
    this.jars.set(url.origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (/max-age=0\b/i.test(line) || /expires=thu, 01 jan 1970/i.test(line) || value === '')
        jar.delete(name);
      else jar.set(name, value);
    }
  }

  /** A request that carries and keeps cookies and does not follow redirects. */
  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, response);
    return response;
  }
}

/**
 * Walks a browser's way from the provider's authorization URL through its login form,
 * signing in as `login`, to the redirect back to the app. Returns that redirect's URL (the
 * app's callback with code and state) without calling it.
 */
export async function signInAtProvider(jar: CookieJar, authorizationUrl: URL, login: string): Promise<URL> {
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let step = 0; step < 10; step += 1) {
    const response = await jar.fetch(url, init);
    init = {};
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== authorizationUrl.origin) return next;
      url = next;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action || !prompt) {
      throw new Error(`the provider answered ${response.status}: ${html.slice(0, 300)}`);
    }
    url = new URL(action.replaceAll('&amp;', '&'), url);
    const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
    init = { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('the provider kept redirecting');
}
