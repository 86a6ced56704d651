import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PublicCart } from '../../src/modules/carts/carts.rules.js';
import { browserSuite, expectAccessible, signInThroughUi } from '../helpers/browser.js';
import { createProduct } from '../helpers/catalog.js';
import { adminOf, type PaymentJson, topUp, walletOf } from '../helpers/payments.js';
import { signUp } from '../helpers/test-app.js';

/** A decimal amount as the page may format it in English ("126,000" or "126,000.00"). */
const shown = (digits: string) => new RegExp(`${digits.replace(/(\d)(?=(\d{3})+$)/g, '$1[.,]')}([.,]00)?`);

/**
 * A signed-in buyer's cart priced in a real Chromium: an address gives shipping and the PPN
 * included in the prices, a platform discount code lowers the total, and the wallet is charged
 * exactly the total the page showed.
 */
describe('a priced cart in a browser', () => {
  const suite = browserSuite({
    RATE_LIMIT_PER_USER: '100000',
    RATE_LIMIT_REGISTER_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_IP: '100000',
  });

  it('quotes shipping and included tax for the chosen address, applies a code and charges the shown total', async ({
    onTestFailed,
  }) => {
    const app = suite.app;
    const admin = await adminOf(app);
    const seller = await signUp(app, { role: 'seller', name: 'Tenun Garut' });
    const option = await app.api<{ id: string }>('POST', '/sellers/me/shipping-options', {
      token: seller.token,
      body: {
        name: 'JNE',
        kind: 'per_region',
        currency: 'IDR',
        amount: '30000',
        regions: [{ country: 'ID', region: 'Jawa Barat', amount: '15000' }],
      },
    });
    expect(option.status).toBe(201);
    const product = await createProduct(app, seller.token, {
      name: 'Batik tulis',
      price: '111000',
      stock: 5,
    });
    const buyer = await signUp(app, { name: 'Siti Rahma' });
    await topUp(app, buyer.token, '1000000');
    const address = await app.api<{ id: string }>('POST', '/users/me/addresses', {
      token: buyer.token,
      body: {
        name: 'Siti Rahma',
        line1: 'Jl. Merdeka No. 17',
        city: 'Bandung',
        region: 'Jawa Barat',
        postal_code: '40111',
        country: 'ID',
      },
    });
    expect(address.status).toBe(201);
    const code = `HEMAT-${randomUUID().slice(0, 8)}`.toUpperCase();
    const discount = await app.api('POST', '/discounts', {
      token: admin.token,
      body: { code, kind: 'percentage', percent_bps: 1000 },
    });
    expect(discount.status).toBe(201);
    const cart = await app.api<PublicCart>('POST', '/carts', {
      token: buyer.token,
      body: { lines: [{ product_id: product.id, quantity: 1 }] },
    });
    const cartId = cart.body.results.id;

    const page = await suite.open(onTestFailed);
    await signInThroughUi(page, buyer);
    await page.goto('/cart');
    await page.getByRole('table').getByRole('link', { name: product.name }).waitFor();
    await page.getByText('Choose where to ship to see shipping, tax and the total.').waitFor();
    expect(await page.getByTestId('quote-summary').count()).toBe(0);

    await page.getByLabel('Ship to').selectOption(address.body.results.id);
    const summary = page.getByTestId('quote-summary');
    await summary.waitFor();
    // The server picks the seller's cheapest option to Jawa Barat; the page shows it chosen.
    await expect.poll(() => page.getByLabel('Shipping option').inputValue()).toBe(option.body.results.id);
    await page.getByRole('option', { name: 'JNE' }).waitFor({ state: 'attached' });
    expect(await page.getByTestId('shipment-shipping').textContent()).toMatch(shown('15000'));
    // 111,000 with PPN 11% inside it (11,000): the total adds shipping only.
    await summary.getByText('Tax 11% (incl.)').waitFor();
    const summaryText = async () => (await summary.textContent()) ?? '';
    expect(await summaryText()).toMatch(shown('111000'));
    expect(await summaryText()).toMatch(shown('11000'));
    expect(await page.getByTestId('quote-total').textContent()).toMatch(shown('126000'));
    await expectAccessible(page, 'priced cart');

    const codeInput = page.getByRole('textbox', { name: 'Discount code' });
    await codeInput.fill('NOPE-123');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('alert').filter({ hasText: 'discount code NOPE-123 is not valid' }).waitFor();
    expect(await codeInput.getAttribute('aria-invalid')).toBe('true');

    await codeInput.fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: `Remove code ${code}` }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'is not valid' }).count()).toBe(0);
    // 10% of the goods off, paid by the platform: 111,000 − 11,100 + 15,000.
    await summary.getByText('Discount').waitFor();
    expect(await summaryText()).toMatch(shown('11100'));
    await expect
      .poll(async () => (await page.getByTestId('quote-total').textContent()) ?? '')
      .toMatch(shown('114900'));
    const priced = await app.api<PublicCart>('GET', `/carts/${cartId}`, { token: buyer.token });
    expect(priced.body.results.quote).toMatchObject({ discount: '11100', total: '114900', tax_added: '0' });
    await expectAccessible(page, 'priced cart with a discount');

    await page.getByRole('radio', { name: 'Wallet' }).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/account\/orders\/[0-9a-f-]{36}$/);
    const orderId = page.url().split('/').pop()!;
    const closed = await app.api<PublicCart>('GET', `/carts/${cartId}`, { token: buyer.token });
    expect(closed.body.results.status).toBe('checked_out');
    const payment = await app.api<PaymentJson>('GET', `/payments/${closed.body.results.payment_id}`, {
      token: buyer.token,
    });
    expect(payment.body.results).toMatchObject({
      order_id: orderId,
      status: 'succeeded',
      total_amount: '114900',
    });
    expect((await walletOf(app, buyer.token)).available).toMatch(/^885100(\.0+)?$/);
    const order = await app.api<{ pricing: unknown }>('GET', `/orders/${orderId}`, { token: buyer.token });
    expect(order.status).toBe(200);
    expect(order.body.results.pricing).toMatchObject({
      destination: { country: 'ID', region: 'Jawa Barat' },
      shipments: [
        {
          seller_id: seller.id,
          shipping_option_id: option.body.results.id,
          shipping: '15000',
          discount: '11100',
        },
      ],
      tax_lines: [{ rate_bps: 1100, inclusive: true }],
    });
  });
  it('links to the address book when there is none, and refuses a total changed since it was shown', async ({
    onTestFailed,
  }) => {
    const app = suite.app;
    const seller = await signUp(app, { role: 'seller' });
    const optionOf = async (name: string, amount: string) => {
      const res = await app.api<{ id: string }>('POST', '/sellers/me/shipping-options', {
        token: seller.token,
        body: { name, kind: 'flat', currency: 'IDR', amount },
      });
      expect(res.status).toBe(201);
      return res.body.results.id;
    };
    const regular = await optionOf('JNE Reguler', '15000');
    const express = await optionOf('Kurir Kilat', '40000');
    const product = await createProduct(app, seller.token, { name: 'Kain ikat', price: '100000', stock: 5 });
    const buyer = await signUp(app);
    await topUp(app, buyer.token, '1000000');
    const cart = await app.api<PublicCart>('POST', '/carts', {
      token: buyer.token,
      body: { lines: [{ product_id: product.id, quantity: 1 }] },
    });
    const cartId = cart.body.results.id;

    const page = await suite.open(onTestFailed);
    await signInThroughUi(page, buyer);
    await page.goto('/cart');
    await page.getByText('You have no saved addresses yet.').waitFor();
    expect(await page.getByRole('link', { name: 'Add an address' }).getAttribute('href')).toBe(
      '/account/addresses',
    );

    const address = await app.api<{ id: string }>('POST', '/users/me/addresses', {
      token: buyer.token,
      body: {
        name: 'Budi',
        line1: 'Jl. Sudirman 1',
        city: 'Jakarta',
        region: 'DKI Jakarta',
        postal_code: '10220',
        country: 'ID',
      },
    });
    await page.reload();
    await page.getByLabel('Ship to').selectOption(address.body.results.id);
    const shippingChoice = page.getByLabel('Shipping option');
    await expect.poll(() => shippingChoice.inputValue()).toBe(regular);
    const total = async () => (await page.getByTestId('quote-total').textContent()) ?? '';
    await expect.poll(total).toMatch(shown('115000'));

    await page.getByRole('option', { name: 'Kurir Kilat' }).waitFor({ state: 'attached' });
    await shippingChoice.selectOption(express);
    await expect.poll(total).toMatch(shown('140000'));
    expect(await page.getByTestId('shipment-shipping').textContent()).toMatch(shown('40000'));
    const chosen = await app.api<PublicCart>('GET', `/carts/${cartId}`, { token: buyer.token });
    expect(chosen.body.results.shipping_options).toEqual([
      { seller_id: seller.id, shipping_option_id: express },
    ]);

    // Changed on another device: the page still shows the dearer total, which is no longer due.
    const elsewhere = await app.api('PUT', `/carts/${cartId}/shipping-options`, {
      token: buyer.token,
      body: { options: [{ seller_id: seller.id, shipping_option_id: regular }] },
    });
    expect(elsewhere.status).toBe(200);
    await page.getByRole('radio', { name: 'Wallet' }).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByRole('alert').filter({ hasText: 'The total changed since you saw it.' }).waitFor();
    await expect.poll(total).toMatch(shown('115000'));
    expect((await walletOf(app, buyer.token)).available).toMatch(/^1000000(\.0+)?$/);

    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/account\/orders\/[0-9a-f-]{36}$/);
    expect((await walletOf(app, buyer.token)).available).toMatch(/^885000(\.0+)?$/);
  });
});
