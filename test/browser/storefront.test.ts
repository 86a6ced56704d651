import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeSummary,
  connectBrowser,
  controlledByServiceWorker,
  expectAccessible,
  openPage,
  sessionKnown,
  signInThroughUi,
  startBrowserApp,
} from '../helpers/browser.js';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { eventually } from '../helpers/eventually.js';
import { topUp } from '../helpers/payments.js';
import { startPushEndpoint, type TestPushEndpoint } from '../helpers/push-endpoint.js';
import { signUp, type TestApp } from '../helpers/test-app.js';

/**
 * A buyer's journeys through the storefront in a real Chromium against a real server: sign
 * up, top up, a cart over two sellers kept across a reload, paying by wallet and on the
 * Midtrans sandbox page, the offline catalog and cart, and a Web Push notification shown by
 * the service worker. Every page visited is checked with axe.
 */
describe('the storefront in a browser', () => {
  let app: TestApp;
  let browser: Browser;
  let push: TestPushEndpoint;
  let coffee: ProductJson;
  let basket: ProductJson;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [app, browser, push] = await Promise.all([startBrowserApp(), connectBrowser(), startPushEndpoint()]);
    const [pantry, crafts] = await Promise.all([
      signUp(app, { role: 'seller', name: 'Toko Kopi' }),
      signUp(app, { role: 'seller', name: 'Kriya' }),
    ]);
    [coffee, basket] = await Promise.all([
      createProduct(app, pantry.token, { name: 'Kopi Gayo', price: '85000', stock: 20 }),
      createProduct(app, crafts.token, { name: 'Rattan basket', price: '60000', stock: 20 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
    await browser?.close();
    await push?.stop();
    await app?.close();
    console.log(axeSummary());
  });

  const open = (
    onTestFailed: (fn: () => Promise<void> | void) => void,
    options: Parameters<typeof openPage>[4] = {},
  ) => openPage(browser, app, contexts, onTestFailed, options);

  const addToCart = async (page: Page, product: ProductJson) => {
    await page.goto(`/item/${product.id}`);
    await sessionKnown(page);
    await page.getByRole('heading', { level: 1, name: product.name }).waitFor();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `1 × ${product.name}` })
      .waitFor();
  };

  it('signs a visitor up, tops up the wallet, keeps a two-seller cart over a reload and pays by wallet', async ({
    onTestFailed,
  }) => {
    const { page } = await open(onTestFailed);
    await page.goto('/');
    await page.getByRole('link', { name: coffee.name }).waitFor();
    await expectAccessible(page, 'storefront home');

    await page.getByRole('navigation').getByRole('link', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create account' }).waitFor();
    await expectAccessible(page, 'sign up');
    const email = `visitor.${randomUUID()}@example.com`;
    await page.getByLabel('Name').fill('Sari Visitor');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Confirm password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.getByRole('navigation').getByRole('link', { name: 'Wallet' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your wallet' }).waitFor();
    await expectAccessible(page, 'wallet');
    await page.getByLabel('Amount').fill('500000');
    await page.getByRole('radio', { name: 'Test top-up (sandbox)' }).check();
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByText(/Added .*500[.,]000.* to your wallet/).waitFor();

    await addToCart(page, coffee);
    await expectAccessible(page, 'product');
    await addToCart(page, basket);
    await page.goto('/cart');
    const lines = page.getByRole('table');
    await lines.getByRole('link', { name: basket.name }).waitFor();
    // The buyer sees the cart and reloads; that load's token refresh reaches the server (the
    // refresh token is spent) but its answer is lost, as when a second reload comes while the
    // request is in flight. The next reload presents the spent token again: the server takes
    // it as a retry (REFRESH_TOKEN_REUSE_GRACE), not as theft, so the buyer is still signed
    // in with both lines there.
    let answerLost = false;
    await page.route('**/auth/refresh', async (route) => {
      await route.fetch();
      answerLost = true;
      await route.abort('connectionreset');
    });
    await page.reload();
    await expect.poll(() => answerLost).toBe(true);
    await page.unroute('**/auth/refresh');
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await lines.getByRole('link', { name: coffee.name }).waitFor();
    await lines.getByRole('link', { name: basket.name }).waitFor();
    await expectAccessible(page, 'cart');

    await page.getByRole('radio', { name: 'Wallet' }).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/account\/orders\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { level: 1, name: /^Order / }).waitFor();
    const items = page.getByRole('table');
    await items.getByRole('link', { name: coffee.name }).waitFor();
    await items.getByRole('link', { name: basket.name }).waitFor();
    await expect
      .poll(() => page.getByTestId('payment-status').textContent(), { timeout: 15_000 })
      .toBe('Paid');
    await expectAccessible(page, 'order');

    await page.getByRole('navigation').getByRole('link', { name: 'Orders' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your orders' }).waitFor();
    await expectAccessible(page, 'orders');
    // The wallet paid 85,000 + 60,000 of the 500,000.
    const login = await app.api<{ token: string }>('POST', '/users/login', {
      body: { email, password: 'correct horse battery' },
    });
    const wallet = await app.api<{ currency: string; available: string }[]>('GET', '/wallet', {
      token: login.body.results.token,
    });
    expect(wallet.body.results.find((each) => each.currency === 'IDR')?.available).toMatch(/^355000(\.0+)?$/);
  });

  it('runs under its own Content Security Policy without a single violation', async ({ onTestFailed }) => {
    const { page } = await open(onTestFailed, { enforceCSP: true });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto('/');
    await page.getByRole('link', { name: coffee.name }).waitFor();
    await page.getByRole('link', { name: coffee.name }).click();
    await page.getByRole('heading', { level: 1, name: coffee.name }).waitFor();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.goto('/signin');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    // Images and the service worker loaded too: the policy allowed what the app needs.
    expect(await page.evaluate('navigator.serviceWorker.ready.then(() => true)')).toBe(true);
    expect(violations).toEqual([]);
  });

  it('lets another buyer pay on the Midtrans sandbox page and come back to a paid order', async ({
    onTestFailed,
  }) => {
    const buyer = await signUp(app);
    const { page } = await open(onTestFailed);
    await page.goto('/signin');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'sign in');
    await signInThroughUi(page, buyer);
    await addToCart(page, basket);
    await page.goto('/cart');
    await page.getByRole('radio', { name: 'Midtrans' }).check();
    await page.getByRole('button', { name: 'Place order' }).click();

    await page.waitForURL(/\/midtrans-sandbox\/snap\/v2\/vtweb\//);
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForLoadState();
    if (new URL(page.url()).pathname.startsWith('/midtrans-sandbox')) {
      // The sandbox's result page: the buyer goes back to the shop's orders.
      await page.goto('/account/orders');
      await page.getByRole('heading', { level: 1, name: 'Your orders' }).waitFor();
      await page.getByRole('table').getByRole('link').first().click();
    }
    await page.waitForURL(/\/account\/orders\/[0-9a-f-]{36}/);
    await page.getByRole('table').getByRole('link', { name: basket.name }).waitFor();
    await expect
      .poll(() => page.getByTestId('payment-status').textContent(), { timeout: 20_000 })
      .toBe('Paid');
    await page.getByRole('definition').filter({ hasText: 'Midtrans' }).waitFor();
  });

  it('shows the cached catalog and the cart offline, under the offline banner', async ({ onTestFailed }) => {
    const { context, page } = await open(onTestFailed);
    await page.goto('/');
    await controlledByServiceWorker(page);
    await page.getByRole('link', { name: coffee.name }).waitFor();
    await addToCart(page, coffee);
    await page.goto('/');
    await page.getByRole('link', { name: basket.name }).waitFor();

    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Shop' }).waitFor();
    await page.getByRole('link', { name: coffee.name }).waitFor();
    await page.getByRole('link', { name: basket.name }).waitFor();
    await page.getByText('You are offline.', { exact: false }).waitFor();

    await page.getByRole('navigation').getByRole('link', { name: /^Cart/ }).click();
    await page.getByRole('table').getByRole('link', { name: coffee.name }).waitFor();
    await page.getByText('You are offline.', { exact: false }).waitFor();
    await expectAccessible(page, 'cart (offline)');
    await context.setOffline(false);
  });

  it('subscribes to Web Push in settings and shows the notification the server sends', async ({
    onTestFailed,
  }) => {
    const buyer = await signUp(app);
    await topUp(app, buyer.token, '100000');
    const { context, page } = await open(onTestFailed);
    // Chromium here has no reachable push service (no FCM), so PushManager.subscribe hands out
    // a subscription of the local push endpoint instead: what the server stores and encrypts to
    // is then decryptable here, and CDP delivers it to the service worker as FCM would.
    const device = push.browser();
    await context.addInitScript(fakePushSubscription, device.subscription);
    await context.grantPermissions(['notifications'], { origin: app.url });
    await signInThroughUi(page, buyer);
    await controlledByServiceWorker(page);

    await page.getByRole('navigation').getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Account settings' }).waitFor();
    await expectAccessible(page, 'settings');
    await page.getByRole('button', { name: 'Turn on notifications' }).click();
    await page.getByText('Notifications are on for this device.').waitFor();
    const stored = await eventually(
      () =>
        app.db.database.db
          .selectFrom('push_subscriptions' as never)
          .select(['endpoint' as never])
          .execute() as Promise<{ endpoint: string }[]>,
      (rows) => rows.some((row) => row.endpoint === device.subscription.endpoint),
    );
    expect(stored.length).toBeGreaterThan(0);

    // A paid order makes the server push "Payment succeeded" to this device's endpoint.
    const paid = await app.api<{ status: string }>('POST', '/orders', {
      token: buyer.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { items: [{ product_id: coffee.id, quantity: 1 }], payment_method: 'wallet' },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    // Generous: the push goes through the outbox, a consumer and the delivery queue, and CI
    // runs the browser suites beside others on two cores (20 s once ran out there).
    const [received] = await eventually(
      () => push.to(device),
      (pushes) => pushes.length > 0,
      60_000,
    );
    const payload = device.decrypt(received!.body);
    const message = JSON.parse(payload) as { title: string; body: string; url: string; tag: string };
    expect(message).toMatchObject({
      title: 'Payment succeeded',
      url: expect.stringMatching(/^\/account\/orders/),
    });

    // Delivered to the service worker over CDP, as the browser's push service would.
    const cdp = await context.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => registrations.push(...event.registrations));
    await cdp.send('ServiceWorker.enable');
    const registration = await eventually(
      () => registrations.find((each) => each.scopeURL.startsWith(app.url) && !each.isDeleted),
      (found) => found !== undefined,
    );
    const deliver = (data: string) =>
      cdp.send('ServiceWorker.deliverPushMessage', {
        origin: `${app.url}/`,
        registrationId: registration!.registrationId,
        data,
      });
    await deliverUntilShown(page, () => deliver(payload), {
      title: message.title,
      body: message.body,
      tag: message.tag,
    });

    // And a payload of the documented shape, straight from the test.
    const own = {
      title: 'Your order shipped',
      body: 'Kopi Gayo is on its way.',
      url: '/account/orders',
      tag: 't',
    };
    await deliverUntilShown(page, () => deliver(JSON.stringify(own)), {
      title: own.title,
      body: own.body,
      tag: 't',
    });
    await cdp.detach();
  });
});

/**
 * Delivers a push until the service worker shows it: a delivery over CDP that reaches a
 * worker Chrome is just stopping for idleness is dropped without an error (seen on a busy
 * CI machine), while a push service would retry. The same tag replaces the notification, so
 * a repeat shows nothing twice. Four tries of 5 s each.
 */
async function deliverUntilShown(
  page: Page,
  deliver: () => Promise<unknown>,
  expected: { title: string; body: string; tag: string },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await deliver();
    try {
      await expect.poll(() => shownNotifications(page), { timeout: 5_000 }).toContainEqual(expected);
      return;
    } catch (error) {
      if (attempt === 4) throw error;
    }
  }
}

/** The notifications the service worker's registration shows now. */
const shownNotifications = (page: Page) =>
  page.evaluate(async () => {
    const { navigator } = globalThis as unknown as {
      navigator: {
        serviceWorker: {
          ready: Promise<{ getNotifications(): Promise<{ title: string; body: string; tag: string }[]> }>;
        };
      };
    };
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map(({ title, body, tag }) => ({ title, body, tag }));
  });

/**
 * Runs in every page of the context before the app: `pushManager.subscribe` answers with the
 * given subscription (kept in localStorage like the browser keeps its own), `getSubscription`
 * with the current one, `unsubscribe` forgets it.
 */
function fakePushSubscription(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }) {
  const page = globalThis as unknown as {
    PushManager?: { prototype: Record<string, unknown> };
    localStorage: {
      getItem(k: string): string | null;
      setItem(k: string, v: string): void;
      removeItem(k: string): void;
    };
  };
  if (!page.PushManager) return;
  const KEY = 'test-push-subscription';
  const decode = (text: string) => {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0)).buffer;
  };
  const make = () => ({
    endpoint: subscription.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true },
    getKey: (name: 'p256dh' | 'auth') => decode(subscription.keys[name]),
    toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
    unsubscribe: async () => {
      page.localStorage.removeItem(KEY);
      return true;
    },
  });
  page.PushManager.prototype.subscribe = async () => {
    page.localStorage.setItem(KEY, '1');
    return make();
  };
  page.PushManager.prototype.getSubscription = async () => (page.localStorage.getItem(KEY) ? make() : null);
  page.PushManager.prototype.permissionState = async () => 'granted';
}
