import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeSummary,
  connectBrowser,
  expectAccessible,
  openPage,
  sessionKnown,
  startBrowserApp,
} from '../helpers/browser.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { adminOf } from '../helpers/payments.js';
import { signUp, type TestApp } from '../helpers/test-app.js';

/**
 * Sign in with OpenID Connect as a person does it: the web app's button on the sign-in page,
 * the provider's own login page (a real oidc-provider), and back to the app, signed in.
 */
describe('signing in with an OpenID provider in a browser', () => {
  let app: TestApp;
  let browser: Browser;
  let provider: TestOidcProvider;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    provider = await startOidcProvider();
    [app, browser] = await Promise.all([
      startBrowserApp({ ...provider.env(), OIDC_PROVIDER_NAME: 'Test ID' }),
      connectBrowser(),
    ]);
    provider.register(`${app.config.publicUrl}/auth/oidc/callback`);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
    await browser?.close();
    await app?.close();
    await provider?.close();
    console.log(axeSummary());
  });

  const open = (onTestFailed: (fn: () => Promise<void> | void) => void) =>
    openPage(browser, app, contexts, onTestFailed);

  /** From the sign-in page, through the provider's login form, back to the app. */
  async function signInWithProvider(page: Page, login: string, next: string) {
    await page.goto(`/signin?next=${encodeURIComponent(next)}`);
    await sessionKnown(page);
    await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
    await page.waitForURL(`${provider.issuer}/**`);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL(`${app.url}/**`);
  }

  it('creates a buyer for a new person and lands signed in where they were going', async ({
    onTestFailed,
  }) => {
    const login = `new-${randomUUID()}`;
    provider.accounts.set(login, {
      email: `${login}@example.com`,
      email_verified: true,
      name: 'Dewi Sartika',
    });
    const { page } = await open(onTestFailed);
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Sign in with Test ID' }).waitFor();
    await expectAccessible(page, 'sign in with a provider');

    await signInWithProvider(page, login, '/account/settings');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.waitForURL(`${app.url}/account/settings`);
    // The one-time code never stays in the address bar (or the history).
    expect(page.url()).not.toContain('code=');
    const admin = await adminOf(app);
    const found = await app.api<{ email: string; role: string; name: string }[]>(
      'GET',
      `/admin/users?q=${encodeURIComponent(`${login}@example.com`)}`,
      { token: admin.token },
    );
    const me = found.body.results[0];
    expect(me).toMatchObject({ email: `${login}@example.com`, role: 'buyer', name: 'Dewi Sartika' });
  });

  it('tells a person whose e-mail the provider has not verified to use their password', async ({
    onTestFailed,
  }) => {
    const person = await signUp(app);
    const login = `unverified-${randomUUID()}`;
    provider.accounts.set(login, { email: person.email, email_verified: false, name: 'Someone' });
    const { page } = await open(onTestFailed);
    await signInWithProvider(page, login, '/');
    await page.getByRole('heading', { level: 1, name: 'Sign-in did not work' }).waitFor();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('An account with this e-mail address already exists');
    await expectAccessible(page, 'provider sign-in refused');
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });
});
