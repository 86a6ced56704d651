import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicCart } from '../../src/modules/carts/carts.rules.js';
import {
  connectBrowser,
  expectAccessible,
  openPage,
  sessionKnown,
  signInThroughUi,
  startBrowserApp,
} from '../helpers/browser.js';
import { createProduct } from '../helpers/catalog.js';
import { topUp } from '../helpers/payments.js';
import { signUp, type TestApp } from '../helpers/test-app.js';

/**
 * The server-side cart in a real Chromium: what a visitor put in the device's cart joins the
 * buyer's server cart on sign-in, a price changed since is shown with the old and the new
 * price, and the order goes through once the buyer accepts it.
 */
describe('the server cart in a browser', () => {
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startBrowserApp(), connectBrowser()]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
    await browser?.close();
    await app?.close();
  });

  it('merges the visitor’s cart on sign-in, shows a changed price and checks out after accepting it', async ({
    onTestFailed,
  }) => {
    const seller = await signUp(app, { role: 'seller', name: 'Tenun' });
    const scarf = await createProduct(app, seller.token, {
      name: 'Songket scarf',
      price: '120000',
      stock: 9,
    });
    const cloth = await createProduct(app, seller.token, { name: 'Ikat cloth', price: '90000', stock: 9 });
    const buyer = await signUp(app);
    await topUp(app, buyer.token, '1000000');
    // Put in the cart earlier, on another device: it is on the server already.
    await app.api('POST', '/carts', {
      token: buyer.token,
      body: { lines: [{ product_id: cloth.id, quantity: 1 }] },
    });

    const { page } = await openPage(browser, app, contexts, onTestFailed);
    await page.goto(`/item/${scarf.id}`);
    await sessionKnown(page);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `1 × ${scarf.name}` })
      .waitFor();
    await signInThroughUi(page, buyer);

    await page.goto('/cart');
    const lines = page.getByRole('table');
    await lines.getByRole('link', { name: scarf.name }).waitFor();
    await lines.getByRole('link', { name: cloth.name }).waitFor();
    // The header counts the server cart's items once it is the one in use.
    await page.getByRole('link', { name: 'Cart, 2 items' }).waitFor();
    const cart = await app.api<PublicCart>('POST', '/carts', { token: buyer.token, body: {} });
    expect(cart.body.results.lines.map((line) => line.title).sort()).toEqual([cloth.name, scarf.name].sort());

    await app.api('PUT', `/products/${scarf.id}`, { token: seller.token, body: { price: '150000' } });
    await page.reload();
    await page.getByText(/Price changed: was .*120[.,]000.*, now .*150[.,]000/).waitFor();
    await expectAccessible(page, 'cart with a changed price');
    expect(await page.getByRole('button', { name: 'Place order' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Accept new prices' }).click();
    await page.getByText(/Price changed/).waitFor({ state: 'detached' });

    await page.getByRole('radio', { name: 'Wallet' }).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/account\/orders\/[0-9a-f-]{36}$/);
    await page.getByRole('table').getByRole('link', { name: scarf.name }).waitFor();
    await page.getByRole('link', { name: 'Cart, 0 items' }).waitFor();
    const wallet = await app.api<{ currency: string; available: string }[]>('GET', '/wallet', {
      token: buyer.token,
    });
    expect(wallet.body.results.find((each) => each.currency === 'IDR')?.available).toMatch(/^760000(\.0+)?$/);
  });
});
