import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PublicCart } from '../../src/modules/carts/carts.rules.js';
import { browserSuite, expectAccessible, sessionKnown, signInThroughUi } from '../helpers/browser.js';
import { createProduct } from '../helpers/catalog.js';
import { topUp, walletOf } from '../helpers/payments.js';
import { signUp, type TestApp } from '../helpers/test-app.js';

/** A decimal amount as the page may format it in English ("126,000" or "126,000.00"). */
const shown = (digits: string) => new RegExp(`${digits.replace(/(\d)(?=(\d{3})+$)/g, '$1[.,]')}([.,]00)?`);

interface VariantJson {
  id: string;
  sku: string;
  options: Record<string, string>;
  price: string;
  stock: number;
}

async function addVariant(app: TestApp, token: string, productId: string, body: Omit<VariantJson, 'id'>) {
  const res = await app.api<VariantJson>('POST', `/products/${productId}/variants`, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.results;
}

const variantsOf = async (app: TestApp, productId: string) =>
  (await app.api<VariantJson[]>('GET', `/products/${productId}/variants`)).body.results;

/**
 * Products sold in variants in a real Chromium: the buyer chooses one on the product page,
 * each variant is its own cart line and the order names what was bought; the seller keeps
 * the variants from the dashboard.
 */
describe('product variants in a browser', () => {
  const suite = browserSuite({
    RATE_LIMIT_PER_USER: '100000',
    RATE_LIMIT_REGISTER_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_IP: '100000',
  });

  it('lets a buyer choose a variant, carts each variant as its own line and orders what was chosen', async ({
    onTestFailed,
  }) => {
    const app = suite.app;
    const seller = await signUp(app, { role: 'seller', name: 'Kaos Bandung' });
    const product = await createProduct(app, seller.token, { name: 'Kaos polos', price: '100000', stock: 5 });
    const tag = randomUUID().slice(0, 6).toUpperCase();
    const red = await addVariant(app, seller.token, product.id, {
      sku: `KAOS-M-RED-${tag}`,
      options: { size: 'M', colour: 'red' },
      price: '100000',
      stock: 3,
    });
    const blue = await addVariant(app, seller.token, product.id, {
      sku: `KAOS-L-BLUE-${tag}`,
      options: { size: 'L', colour: 'blue' },
      price: '120000',
      stock: 2,
    });
    const buyer = await signUp(app);
    await topUp(app, buyer.token, '1000000');

    const page = await suite.open(onTestFailed);
    await page.goto(`/item/${product.id}`);
    await sessionKnown(page);
    const size = page.getByRole('group', { name: 'Size' });
    const colour = page.getByRole('group', { name: 'Colour' });
    // The first variant in stock is chosen to start with.
    await size.getByRole('radio', { name: 'M' }).waitFor();
    expect(await size.getByRole('radio', { name: 'M' }).isChecked()).toBe(true);
    expect(await colour.getByRole('radio', { name: 'red' }).isChecked()).toBe(true);
    await page.getByText(`SKU: ${red.sku}`).waitFor();
    await expectAccessible(page, 'product with variants');

    // L comes only in blue: choosing it chooses blue too.
    await size.getByRole('radio', { name: 'L' }).check();
    expect(await colour.getByRole('radio', { name: 'blue' }).isChecked()).toBe(true);
    await page.getByText(`SKU: ${blue.sku}`).waitFor();
    await page.getByText('In stock: 2').waitFor();
    await page.getByRole('main').getByText(shown('120000')).waitFor();
    expect(await page.getByLabel('Quantity').getAttribute('max')).toBe('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `1 × ${product.name} (L, blue)` })
      .waitFor();

    // A visitor's cart is the device's: the line names its variant.
    await page.goto('/cart');
    await page
      .getByRole('table')
      .getByRole('link', { name: `${product.name} (L, blue)` })
      .waitFor();

    // Signing in moves it into the buyer's server cart; the other variant is a line of its own.
    await signInThroughUi(page, buyer);
    await page.goto(`/item/${product.id}`);
    await size.getByRole('radio', { name: 'M' }).check();
    await page.getByText(`SKU: ${red.sku}`).waitFor();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `1 × ${product.name} (M, red)` })
      .waitFor();
    await page.goto('/cart');
    const lines = page.getByRole('table');
    await lines.getByRole('link', { name: `${product.name} (L, blue)` }).waitFor();
    await lines.getByRole('link', { name: `${product.name} (M, red)` }).waitFor();
    await page.getByRole('link', { name: 'Cart, 2 items' }).waitFor();
    const cart = await app.api<PublicCart>('POST', '/carts', { token: buyer.token, body: {} });
    expect(cart.body.results.lines.map((line) => line.variant_id).sort()).toEqual([blue.id, red.id].sort());

    await page.getByRole('radio', { name: 'Wallet' }).check();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/account\/orders\/[0-9a-f-]{36}$/);
    const orderId = page.url().split('/').pop()!;
    const ordered = page.getByRole('table');
    await ordered.getByRole('link', { name: `${product.name} (L, blue)` }).waitFor();
    await ordered.getByRole('link', { name: `${product.name} (M, red)` }).waitFor();

    const order = await app.api<{
      items: { variant: { id: string; sku: string } | null; quantity: number; unit_price: string }[];
    }>('GET', `/orders/${orderId}`, { token: buyer.token });
    expect(order.status).toBe(200);
    expect(
      order.body.results.items
        .map((item) => ({ sku: item.variant?.sku, quantity: item.quantity, price: item.unit_price }))
        .sort((a, b) => String(a.sku).localeCompare(String(b.sku))),
    ).toEqual([
      { sku: blue.sku, quantity: 1, price: expect.stringMatching(/^120000(\.0+)?$/) },
      { sku: red.sku, quantity: 1, price: expect.stringMatching(/^100000(\.0+)?$/) },
    ]);
    const stock = Object.fromEntries(
      (await variantsOf(app, product.id)).map((each) => [each.sku, each.stock]),
    );
    expect(stock).toEqual({ [red.sku]: 2, [blue.sku]: 1 });
    expect((await walletOf(app, buyer.token)).available).toMatch(/^780000(\.0+)?$/);
  });

  it('lets a seller add, change and delete variants from the dashboard, showing what the API refuses', async ({
    onTestFailed,
  }) => {
    const app = suite.app;
    const seller = await signUp(app, { role: 'seller', name: 'Sarung Majalaya' });
    const product = await createProduct(app, seller.token, {
      name: `Sarung ${randomUUID().slice(0, 6)}`,
      price: '80000',
      stock: 5,
    });
    const tag = randomUUID().slice(0, 6).toUpperCase();
    const small = `SARUNG-S-${tag}`;
    const medium = `SARUNG-M-${tag}`;

    const page = await suite.open(onTestFailed);
    await signInThroughUi(page, seller);
    await page.goto('/dashboard/products');
    await page.getByRole('button', { name: `Edit ${product.name}` }).click();
    const section = page.getByRole('region', { name: `Variants of ${product.name}` });
    await section.getByText('No variants: this product is sold as one item.').waitFor();

    const add = section.getByRole('form', { name: 'New variant' });
    await add.getByLabel('SKU').fill(small);
    await add.getByLabel('Option 1 name').fill('size');
    await add.getByLabel('Option 1 value').fill('S');
    await add.getByLabel('Price', { exact: true }).fill('90000');
    await add.getByLabel('Stock').fill('4');
    await add.getByRole('button', { name: 'Add variant' }).click();
    await section.getByText(`Variant ${small} added.`).waitFor();
    await section.getByRole('rowheader', { name: small }).waitFor();
    // Its price and stock are the variants' now: the product form no longer asks for them.
    await page
      .getByRole('form', { name: `Edit ${product.name}` })
      .getByText('Price and stock come from this product’s variants')
      .waitFor();
    expect(
      await page
        .getByRole('form', { name: `Edit ${product.name}` })
        .getByLabel('Stock')
        .count(),
    ).toBe(0);

    // The same options twice: the API's refusal is shown, and nothing is added.
    await expect.poll(() => add.getByLabel('Option 1 name').inputValue()).toBe('size');
    await add.getByLabel('SKU').fill(medium);
    await add.getByLabel('Option 1 value').fill('S');
    await add.getByLabel('Stock').fill('1');
    await add.getByRole('button', { name: 'Add variant' }).click();
    await add.getByRole('alert').filter({ hasText: 'already has a variant with these options' }).waitFor();
    expect(await variantsOf(app, product.id)).toHaveLength(1);
    await add.getByLabel('Option 1 value').fill('M');
    await add.getByRole('button', { name: 'Add variant' }).click();
    await section.getByText(`Variant ${medium} added.`).waitFor();
    await section.getByRole('rowheader', { name: medium }).waitFor();
    await expectAccessible(page, 'seller variants editor');

    await section.getByRole('button', { name: `Edit variant ${small}` }).click();
    const edit = section.getByRole('form', { name: `Edit variant ${small}` });
    await edit.getByLabel('Stock').fill('7');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await section.getByText(`Changes to variant ${small} saved.`).waitFor();

    await section.getByRole('button', { name: `Delete ${medium}` }).click();
    await section.getByRole('button', { name: 'Confirm' }).click();
    await section.getByText(`Variant ${medium} deleted.`).waitFor();
    await section.getByRole('rowheader', { name: medium }).waitFor({ state: 'detached' });

    const variants = await variantsOf(app, product.id);
    expect(variants.map(({ sku, options, stock }) => ({ sku, options, stock }))).toEqual([
      { sku: small, options: { size: 'S' }, stock: 7 },
    ]);
    expect(variants[0]!.price).toMatch(/^90000(\.0+)?$/);
    const stored = await app.api<{ price: string; stock: number }>('GET', `/products/${product.id}`);
    expect(stored.body.results.stock).toBe(7);
    expect(stored.body.results.price).toMatch(/^90000(\.0+)?$/);
    // The products table shows the variants' total too.
    await page
      .getByRole('row', { name: new RegExp(product.name) })
      .getByRole('cell', { name: '7', exact: true })
      .waitFor();

    // The product's tax class is still its own to set.
    await page.getByRole('button', { name: `Edit ${product.name}` }).click();
    const form = page.getByRole('form', { name: `Edit ${product.name}` });
    await form.getByLabel('Tax class').fill('apparel');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(
        async () =>
          (await app.api<{ tax_class: string }>('GET', `/products/${product.id}`)).body.results.tax_class,
      )
      .toBe('apparel');
  });
});
