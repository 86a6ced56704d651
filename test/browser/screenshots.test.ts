import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BUYER, DEMO_SELLER, seedDemo } from '../../src/cli/seed/demo.js';
import {
  connectBrowser,
  errorsOf,
  newContext,
  sessionKnown,
  settled,
  signInThroughUi,
  startBrowserApp,
  VIEWPORTS,
} from '../helpers/browser.js';
import { topUp } from '../helpers/payments.js';
import { testDatabase } from '../helpers/services.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Pictures of the main pages over the demo data, at desktop and phone widths. With
 * MAMLAKA_SCREENSHOTS=1 they are written to docs/screenshots/<page>-<desktop|phone>.png (the
 * README's pictures); otherwise to a temporary folder, still checking that each page renders.
 * The pglite project only: the pictures do not depend on the database.
 */
const keep = process.env.MAMLAKA_SCREENSHOTS === '1';

interface Login {
  token: string;
  id: string;
}

describe.runIf(testDatabase() === 'pglite')('screenshots of the web app', () => {
  let app: TestApp;
  let browser: Browser;
  let outDir = '';
  const contexts: BrowserContext[] = [];
  let orderId = '';
  let productId = '';
  let secondProductId = '';

  const login = async (email: string, password: string): Promise<Login> => {
    const res = await app.api<Login>('POST', '/users/login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
    return res.body.results;
  };
  const order = async (token: string, items: { product_id: string; quantity: number }[]) => {
    const res = await app.api<{ order_id: string; status: string }>('POST', '/orders', {
      token,
      headers: { 'idempotency-key': randomUUID() },
      body: { items, payment_method: 'wallet' },
    });
    if (res.status !== 201) throw new Error(`order failed: ${JSON.stringify(res.body)}`);
    return res.body.results.order_id;
  };

  beforeAll(async () => {
    [app, browser] = await Promise.all([startBrowserApp(), connectBrowser()]);
    await seedDemo(app.platform, 'sandbox');
    outDir = keep ? path.resolve('docs/screenshots') : mkdtempSync(path.join(tmpdir(), 'mamlaka-screens-'));
    mkdirSync(outDir, { recursive: true });
    // Some sales: the demo buyer orders from both shops; one item of the last order ships.
    const buyer = await login(DEMO_BUYER.email, DEMO_BUYER.password);
    await topUp(app, buyer.token, '5000000');
    const products = (
      await app.api<{ id: string; user_id: string; stock: number; name: string }[]>(
        'GET',
        '/products?limit=40',
      )
    ).body.results.filter((product) => product.stock > 3);
    const seller = await login(DEMO_SELLER.email, DEMO_SELLER.password);
    const mine = products.filter((product) => product.user_id === seller.id);
    const theirs = products.filter((product) => product.user_id !== seller.id);
    productId = mine[0]!.id;
    secondProductId = theirs[0]!.id;
    await order(buyer.token, [{ product_id: mine[1]!.id, quantity: 2 }]);
    await order(buyer.token, [
      { product_id: mine[2]!.id, quantity: 1 },
      { product_id: theirs[1]!.id, quantity: 1 },
    ]);
    orderId = await order(buyer.token, [
      { product_id: mine[0]!.id, quantity: 1 },
      { product_id: theirs[0]!.id, quantity: 2 },
    ]);
    const placed = await app.api<{ items: { id: string; seller_id: string }[] }>(
      'GET',
      `/orders/${orderId}`,
      {
        token: seller.token,
      },
    );
    const item = placed.body.results.items.find((each) => each.seller_id === seller.id)!;
    const shipped = await app.api('POST', `/orders/${orderId}/items/${item.id}/shipments`, {
      token: seller.token,
      body: { carrier: 'JNE', tracking_number: 'JNE0012345678' },
    });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
    await browser?.close();
    await app?.close();
    if (!keep && outDir) rmSync(outDir, { recursive: true, force: true });
  });

  async function signedIn(user: { email: string; password: string } | null): Promise<Page> {
    const context = await newContext(browser, app, { serviceWorkers: 'block' });
    contexts.push(context);
    const page = await context.newPage();
    if (user) await signInThroughUi(page, user);
    return page;
  }

  /** Both widths of the page as it is now: the images in view loaded, nothing moving. */
  async function shoot(page: Page, name: string, fullPage = false) {
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      await settled(page);
      await page.waitForFunction(() =>
        Array.from(
          (globalThis as unknown as { document: { images: ArrayLike<{ complete: boolean }> } }).document
            .images,
        ).every((image) => image.complete),
      );
      const file = path.join(outDir, `${name}-${width}.png`);
      await page.screenshot({ path: file, animations: 'disabled', caret: 'hide', fullPage });
      expect(statSync(file).size, `${file}: ${errorsOf(page).join('\n')}`).toBeGreaterThan(5_000);
    }
  }

  it('photographs the storefront: home, a product, the cart and an order', async () => {
    const page = await signedIn({ email: DEMO_BUYER.email, password: DEMO_BUYER.password });
    await page.goto('/');
    await page
      .getByRole('link', { name: /Kopi|Batik|Rattan/ })
      .first()
      .waitFor();
    await shoot(page, 'storefront-home');

    for (const id of [secondProductId, productId]) {
      await page.goto(`/item/${id}`);
      await sessionKnown(page);
      await page.getByRole('button', { name: 'Add to cart' }).click();
    }
    await page.getByRole('status').getByRole('link', { name: 'View cart' }).waitFor();
    await shoot(page, 'product');

    await page.goto('/cart');
    await page.getByRole('button', { name: 'Place order' }).waitFor();
    await shoot(page, 'cart');

    await page.goto(`/account/orders/${orderId}`);
    await page.getByText('JNE0012345678').waitFor();
    await shoot(page, 'order', true);
  });

  it('photographs the seller dashboard', async () => {
    const page = await signedIn(DEMO_SELLER);
    await page.goto('/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Seller dashboard' }).waitFor();
    // The whole page: the sales chart is below the balances.
    await page
      .locator('.recharts-surface, svg[role="img"], figure')
      .first()
      .waitFor()
      .catch(() => {});
    await shoot(page, 'seller-dashboard', true);
  });

  it('photographs the admin console', async () => {
    const admin = {
      name: 'Ayu Operations',
      email: 'admin@demo.mamlaka.dev',
      password: 'demo admin password',
    };
    await app.platform.users.users.createAdmin(admin);
    const page = await signedIn(admin);
    await page.goto('/console');
    await page.getByRole('heading', { level: 1, name: 'Admin console' }).waitFor();
    await shoot(page, 'admin-console');
  });
});
