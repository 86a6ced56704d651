import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  controlledByServiceWorker,
  browserSuite,
  expectAccessible,
  signInThroughUi,
} from '../helpers/browser.js';
import { adminOf, topUp } from '../helpers/payments.js';
import { signUp } from '../helpers/test-app.js';

/**
 * The seller dashboard and the admin console in a real Chromium: a seller lists a product
 * with a picture and ships an order (the buyer's order page follows), and an admin disables a
 * user, whose session ends at once. Every page visited is checked with axe.
 */
describe('the seller dashboard and the admin console in a browser', () => {
  const suite = browserSuite();
  const { open } = suite;

  it('lets a seller list a product with a picture and ship it; the buyer sees it shipped', async ({
    onTestFailed,
  }) => {
    const seller = await signUp(suite.app, { role: 'seller', name: 'Toko Batik' });
    const buyer = await signUp(suite.app);
    await topUp(suite.app, buyer.token, '1000000');
    const sellerPage = await open(onTestFailed);
    await signInThroughUi(sellerPage, seller);
    // Controlled by the service worker from here on, as a returning seller's pages are.
    await controlledByServiceWorker(sellerPage);
    await sellerPage
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Seller dashboard' })
      .click();
    await sellerPage.getByRole('heading', { level: 1, name: 'Seller dashboard' }).waitFor();
    await expectAccessible(sellerPage, 'seller dashboard overview');

    await sellerPage
      .getByRole('navigation', { name: 'Seller' })
      .getByRole('link', { name: 'Products' })
      .click();
    await sellerPage.waitForURL(/\/dashboard\/products$/);
    await expectAccessible(sellerPage, 'seller products');
    const name = `Batik tulis ${randomUUID().slice(0, 6)}`;
    const picture = await sharp({
      create: { width: 64, height: 64, channels: 3, background: { r: 122, g: 74, b: 38 } },
    })
      .png()
      .toBuffer();
    const form = sellerPage.locator('form.product-form');
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Description').fill('Hand-drawn wax batik from Pekalongan');
    await form.getByLabel('Price', { exact: true }).fill('275000');
    await form.getByLabel('Stock').fill('4');
    await form
      .getByLabel('Image')
      .setInputFiles({ name: 'batik.png', mimeType: 'image/png', buffer: picture });
    await form.getByRole('img', { name: 'Preview of the chosen image' }).waitFor();
    await form.getByRole('button', { name: 'Create product' }).click();
    await sellerPage.getByText(`Product ${name} created.`).waitFor();
    // The list shows it at once: a seller must not be shown a stale copy of their own products.
    await sellerPage.getByRole('table').getByRole('rowheader', { name }).waitFor();

    // Stored with its picture: the storefront shows it, decoded.
    const listed = await suite.app.api<{ id: string; name: string; image_url: string | null }[]>(
      'GET',
      '/products',
    );
    const product = listed.body.results.find((each) => each.name === name);
    expect(product?.image_url).toBeTruthy();
    const storePage = await open(onTestFailed);
    await storePage.goto(`/item/${product!.id}`);
    const image = storePage.getByRole('img', { name });
    await image.waitFor();
    await expect
      .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);

    // The buyer's order (set up through the API: this scenario is about the seller's side).
    const ordered = await suite.app.api<{ order_id: string; status: string }>('POST', '/orders', {
      token: buyer.token,
      headers: { 'idempotency-key': randomUUID() },
      body: { items: [{ product_id: product!.id, quantity: 1 }], payment_method: 'wallet' },
    });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    expect(ordered.body.results.status).toBe('succeeded');

    await sellerPage
      .getByRole('navigation', { name: 'Seller' })
      .getByRole('link', { name: 'Orders' })
      .click();
    await sellerPage.waitForURL(/\/dashboard\/orders$/);
    const row = sellerPage.getByRole('row').filter({ hasText: name });
    await row.getByRole('button', { name: 'Mark shipped' }).click();
    await expectAccessible(sellerPage, 'seller orders (shipping form open)');
    const ship = sellerPage.getByRole('form', { name: `Mark shipped: ${name}` });
    await ship.getByLabel('Carrier').fill('JNE');
    await ship.getByLabel('Tracking number').fill('JNE0012345678');
    await ship.getByRole('button', { name: 'Save shipment' }).click();
    await sellerPage.getByText('Marked shipped.').waitFor();
    await sellerPage.getByRole('row').filter({ hasText: 'JNE0012345678' }).waitFor();

    await sellerPage
      .getByRole('navigation', { name: 'Seller' })
      .getByRole('link', { name: 'Payouts' })
      .click();
    await sellerPage.waitForURL(/\/dashboard\/payouts$/);
    await expectAccessible(sellerPage, 'seller payouts');

    const buyerPage = await open(onTestFailed);
    await signInThroughUi(buyerPage, buyer);
    await buyerPage.goto(`/account/orders/${ordered.body.results.order_id}`);
    const line = buyerPage.getByRole('row').filter({ has: buyerPage.getByRole('link', { name }) });
    await line.getByText('Shipped', { exact: true }).first().waitFor();
    await line.getByText('JNE0012345678').waitFor();
    await line.getByText('JNE', { exact: true }).waitFor();
  });

  it('lets an admin disable a user: their old token gets 401 and their page signs out', async ({
    onTestFailed,
  }) => {
    const admin = await adminOf(suite.app);
    const victim = await signUp(suite.app, { name: 'Rina Victim' });
    const victimPage = await open(onTestFailed);
    // The token the victim's suite.app sends: captured from its own requests.
    let victimToken: string | undefined;
    victimPage.on('request', (request) => {
      const header = request.headers().authorization;
      if (header?.startsWith('Bearer ')) victimToken = header.slice('Bearer '.length);
    });
    await signInThroughUi(victimPage, victim);
    await victimPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
    await victimPage.getByRole('heading', { level: 1, name: 'Your orders' }).waitFor();
    expect(victimToken).toBeTruthy();
    expect((await suite.app.api('GET', '/users/me', { token: victimToken })).status).toBe(200);

    const adminPage = await open(onTestFailed);
    await signInThroughUi(adminPage, admin);
    await adminPage
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin console' })
      .click();
    await adminPage.getByRole('heading', { level: 1, name: 'Admin console' }).waitFor();
    await expectAccessible(adminPage, 'admin console');
    const consoleNav = adminPage.getByRole('navigation', { name: 'Admin', exact: true });
    await consoleNav.getByRole('link', { name: 'Users' }).click();
    await adminPage.getByLabel('Search users').fill(victim.email);
    await adminPage.getByLabel('Search users').press('Enter');
    const row = adminPage.getByRole('row').filter({ hasText: victim.email });
    await row.waitFor();
    await expectAccessible(adminPage, 'admin users');
    await row.getByRole('button', { name: `Disable ${victim.email}` }).click();
    // The console asks first: "Disable …: are you sure?"
    await row
      .getByRole('group', { name: `Disable ${victim.email}` })
      .getByRole('button', { name: 'Confirm' })
      .click();
    await adminPage.getByText(`${victim.email} is disabled.`).waitFor();
    await row.getByRole('cell', { name: 'disabled', exact: false }).first().waitFor();

    // The victim's very next API request with the old access token is refused…
    expect((await suite.app.api('GET', '/users/me', { token: victimToken })).status).toBe(401);
    // …and their suite.app, on its next request (opening their wallet, without a reload), shows
    // them signed out.
    const refused = victimPage.waitForResponse((response) => response.status() === 401);
    await victimPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Wallet' }).click();
    await refused;
    await victimPage
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Sign in' })
      .waitFor();
    await victimPage.getByRole('button', { name: 'Sign out' }).waitFor({ state: 'detached' });

    // Every other page of the console, checked with axe.
    const pages = await consoleNav.getByRole('link').allTextContents();
    expect(pages).toEqual(expect.arrayContaining(['Users', 'Payments', 'Payouts']));
    for (const name of pages.filter((each) => each !== 'Users')) {
      await consoleNav.getByRole('link', { name, exact: true }).click();
      await adminPage.waitForURL(new RegExp(`/console/${name.toLowerCase()}$`));
      await adminPage.getByRole('heading', { level: 2 }).first().waitFor();
      await expectAccessible(adminPage, `admin ${name.toLowerCase()}`);
    }
  });
});
