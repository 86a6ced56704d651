import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CookieJar,
  signInAtProvider,
  startOidcProvider,
  type TestOidcProvider,
} from '../helpers/oidc-provider.js';
import { adminOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Sign in with OpenID Connect against a real provider (oidc-provider) through HTTP
 * redirects, as a browser follows them: the app's authorize redirect, the provider's login
 * form, the callback, and the web app's exchange of the one-time code for a session.
 */

let provider: TestOidcProvider;
let app: TestApp;

beforeAll(async () => {
  provider = await startOidcProvider();
  app = await startTestApp(provider.env());
  provider.register(`${app.config.publicUrl}/auth/oidc/callback`);
});

afterAll(async () => {
  await app?.close();
  await provider?.close();
});

interface Session {
  id: string;
  role: string;
  token: string;
  refresh_token: string;
}

/** A provider account of its own for each test. */
function account(overrides: { email?: string; email_verified?: unknown; name?: string } = {}) {
  const login = `person-${randomUUID()}`;
  provider.accounts.set(login, {
    email: `${login}@example.com`,
    email_verified: true,
    name: 'Ayu Lestari',
    ...overrides,
  });
  return login;
}

/** The app's own URL for a path of PUBLIC_URL (the tests' PUBLIC_URL has no port). */
const onApp = (url: URL) => new URL(url.pathname + url.search, app.url);

/** Starts a sign-in at the app; returns the provider's authorization URL. */
async function startSignIn(jar: CookieJar, returnTo = '/cart'): Promise<URL> {
  const start = await jar.fetch(
    new URL(`/auth/oidc/authorize?return_to=${encodeURIComponent(returnTo)}`, app.url),
  );
  expect(start.status).toBe(302);
  return new URL(start.headers.get('location')!);
}

/** A whole sign-in as `login`: the fragment the web app's /signin/callback page receives. */
async function signInAs(login: string, jar = new CookieJar()): Promise<URLSearchParams> {
  const back = await signInAtProvider(jar, await startSignIn(jar), login);
  const callback = await jar.fetch(onApp(back));
  expect(callback.status).toBe(302);
  const location = new URL(callback.headers.get('location')!, app.url);
  expect(location.pathname).toBe('/signin/callback');
  expect(location.search).toBe('');
  return new URLSearchParams(location.hash.slice(1));
}

const exchange = (code: string) => app.api<Session>('POST', '/auth/oidc/exchange', { body: { code } });

async function signedIn(login: string): Promise<Session> {
  const fragment = await signInAs(login);
  expect(fragment.get('error')).toBeNull();
  const session = await exchange(fragment.get('code')!);
  expect(session.status).toBe(200);
  return session.body.results;
}

describe('sign in with OpenID Connect', () => {
  it('tells the web app the provider is there, by name', async () => {
    const res = await app.api<{ enabled: boolean; name: string }>('GET', '/auth/oidc');
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual({ enabled: true, name: '127.0.0.1' });
  });

  it('sends the browser to the provider with state, nonce and an S256 PKCE challenge', async () => {
    const jar = new CookieJar();
    const url = await startSignIn(jar);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('client_id')).toBe(provider.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(`${app.config.publicUrl}/auth/oidc/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    // The state is bound to this browser by an HttpOnly cookie only the callback receives.
    expect(jar.header(new URL(app.url))).toBe(`mamlaka_oidc_state=${url.searchParams.get('state')}`);
  });

  it('creates a buyer without a password for a new person, and signs the same person in again', async () => {
    const login = account({ name: 'Ayu Lestari' });
    const fragment = await signInAs(login);
    expect(fragment.get('return_to')).toBe('/cart');
    const first = await exchange(fragment.get('code')!);
    expect(first.status).toBe(200);
    expect(first.body.results.role).toBe('buyer');
    const me = await app.api<{ id: string; email: string; name: string; email_verified: boolean }>(
      'GET',
      '/users/me',
      { token: first.body.results.token },
    );
    expect(me.body.results).toMatchObject({ email: `${login}@example.com`, name: 'Ayu Lestari' });
    // The provider vouched for the address.
    expect(me.body.results.email_verified).toBe(true);
    // The refresh token works like a password login's.
    const refreshed = await app.api('POST', '/auth/refresh', {
      body: { refresh_token: first.body.results.refresh_token },
    });
    expect(refreshed.status).toBe(200);

    // The code is single use.
    const again = await exchange(fragment.get('code')!);
    expect(again.status).toBe(401);
    expect(again.body.meta.code).toBe('oidc_code_invalid');

    // No password signs this account in: it fails exactly as a wrong password does.
    const password = await app.api('POST', '/users/login', {
      body: { email: `${login}@example.com`, password: 'anything at all 1' },
    });
    expect(password.status).toBe(401);
    expect(password.body.meta.code).toBe('invalid_credentials');

    // The provider's subject finds the same account, even after the e-mail changed there.
    provider.accounts.set(login, { email: 'changed@example.com', email_verified: true, name: 'Ayu' });
    expect((await signedIn(login)).id).toBe(first.body.results.id);
  });

  it('links an existing account when the provider has verified its e-mail', async () => {
    const person = await signUp(app);
    const login = account({ email: person.email.toUpperCase(), email_verified: true });
    const session = await signedIn(login);
    expect(session.id).toBe(person.id);
    const me = await app.api<{ email_verified: boolean }>('GET', '/users/me', { token: session.token });
    expect(me.body.results.email_verified).toBe(true);
    // The password still works too.
    const password = await app.api('POST', '/users/login', {
      body: { email: person.email, password: person.password },
    });
    expect(password.status).toBe(200);
  });

  it('refuses to link an existing account when the provider has not verified the e-mail', async () => {
    for (const unverified of [false, 'true', undefined]) {
      const person = await signUp(app);
      const login = account({ email: person.email, email_verified: unverified });
      const fragment = await signInAs(login);
      expect(fragment.get('error')).toBe('oidc_email_unverified');
      expect(fragment.get('code')).toBeNull();
      // Nothing was linked: the provider verifying later is what links it.
      provider.accounts.set(login, { email: person.email, email_verified: true });
      expect((await signedIn(login)).id).toBe(person.id);
    }
  });

  it('creates an account with an unverified e-mail as unverified', async () => {
    const session = await signedIn(account({ email_verified: false }));
    const me = await app.api<{ email_verified: boolean }>('GET', '/users/me', { token: session.token });
    expect(me.body.results.email_verified).toBe(false);
  });

  it('refuses a person the provider shares no e-mail of', async () => {
    const login = account({ email: undefined });
    provider.accounts.set(login, { name: 'No Mail' });
    expect((await signInAs(login)).get('error')).toBe('oidc_email_missing');
  });

  it('refuses a callback in a browser that did not start the sign-in, and a replayed one', async () => {
    const login = account();
    const jar = new CookieJar();
    const back = await signInAtProvider(jar, await startSignIn(jar), login);
    // Another browser (no state cookie) finishing this sign-in: login CSRF.
    const elsewhere = await fetch(onApp(back), { redirect: 'manual' });
    expect(new URL(elsewhere.headers.get('location')!, app.url).hash).toBe('#error=oidc_state_invalid');
    // The right browser still can, once.
    const cookie = jar.header(new URL(app.url))!;
    const own = await jar.fetch(onApp(back));
    expect(new URL(own.headers.get('location')!, app.url).hash).toMatch(/^#code=/);
    const replay = await fetch(onApp(back), { redirect: 'manual', headers: { cookie } });
    expect(new URL(replay.headers.get('location')!, app.url).hash).toBe('#error=oidc_state_invalid');
  });

  it('passes on a refusal at the provider as oidc_denied', async () => {
    const jar = new CookieJar();
    const url = await startSignIn(jar);
    const state = url.searchParams.get('state')!;
    const denied = await jar.fetch(
      new URL(`/auth/oidc/callback?error=access_denied&state=${state}&iss=${provider.issuer}`, app.url),
    );
    expect(new URL(denied.headers.get('location')!, app.url).hash).toBe('#error=oidc_denied');
  });

  it('keeps the return path on this site', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const login = account();
      const jar = new CookieJar();
      const back = await signInAtProvider(jar, await startSignIn(jar, returnTo), login);
      const callback = await jar.fetch(onApp(back));
      const fragment = new URLSearchParams(new URL(callback.headers.get('location')!, app.url).hash.slice(1));
      expect(fragment.get('return_to')).toBe('/');
    }
  });

  it('signs no disabled account in', async () => {
    const login = account();
    const { id } = await signedIn(login);
    const admin = await adminOf(app);
    expect((await app.api('POST', `/admin/users/${id}/disable`, { token: admin.token })).status).toBe(200);
    expect((await signInAs(login)).get('error')).toBe('account_disabled');
  });
});

describe('without OIDC_ISSUER', () => {
  let plain: TestApp;
  beforeAll(async () => {
    plain = await startTestApp();
  });
  afterAll(async () => plain?.close());

  it('hides the button and answers 404 oidc_not_configured', async () => {
    const config = await plain.api('GET', '/auth/oidc');
    expect(config.body.results).toEqual({ enabled: false, name: null });
    const start = await fetch(`${plain.url}/auth/oidc/authorize`, { redirect: 'manual' });
    expect(start.status).toBe(404);
    expect(((await start.json()) as { meta: { code: string } }).meta.code).toBe('oidc_not_configured');
    const callback = await fetch(`${plain.url}/auth/oidc/callback?code=x&state=y`, { redirect: 'manual' });
    expect(callback.status).toBe(404);
    const exchanged = await plain.api('POST', '/auth/oidc/exchange', { body: { code: 'a'.repeat(43) } });
    expect(exchanged.status).toBe(404);
    expect(exchanged.body.meta.code).toBe('oidc_not_configured');
  });
});
