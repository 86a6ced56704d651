import { randomUUID } from 'node:crypto';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, expectAccessible, signInThroughUi } from '../helpers/browser.js';
import { adminOf } from '../helpers/payments.js';
import { signUp } from '../helpers/test-app.js';

interface Address {
  id: string;
  name: string;
  line2: string | null;
  postal_code: string;
  country: string;
  is_default: boolean;
}
interface ShippingOption {
  id: string;
  name: string;
  kind: string;
  currency: string;
  amount: string | null;
  regions: { country: string; region: string | null; amount: string }[];
}
interface TaxRate {
  id: string;
  country: string;
  region: string | null;
  tax_class: string;
  rate_bps: number;
  inclusive: boolean;
  currency: string | null;
}

/** What the page tells about one field: it is marked invalid, and the words it points to. */
async function fieldMessage(input: Locator): Promise<string> {
  await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = (await input.getAttribute('aria-describedby'))?.split(' ') ?? [];
  const texts = await Promise.all(ids.map((id) => input.page().locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

/**
 * The commerce settings in a real Chromium: a buyer's address book, a seller's shipping
 * options, payout accounts and schedule, and the admin's tax rates. Each step is checked
 * on the page and again in what the API then returns; every screen is checked with axe.
 */
describe('addresses, shipping options, tax rates and payout settings in a browser', () => {
  const suite = browserSuite();
  const { open } = suite;

  it('lets a buyer add, edit, choose the default and delete addresses', async ({ onTestFailed }) => {
    const buyer = await signUp(suite.app, { name: 'Siti Rahma' });
    const addresses = async () =>
      (await suite.app.api<Address[]>('GET', '/users/me/addresses', { token: buyer.token })).body.results;
    const page = await open(onTestFailed);
    await signInThroughUi(page, buyer);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Addresses' }).click();
    await page.getByRole('heading', { level: 1, name: 'Addresses' }).waitFor();
    await page.getByText('You have no saved addresses yet.').waitFor();
    await expectAccessible(page, 'buyer addresses (empty)');

    const form = page.getByRole('form', { name: 'New address' });
    await form.getByLabel('Recipient').fill('Siti Rahma');
    await form.getByLabel('Address line 1').fill('Jl. Malioboro 12');
    await form.getByLabel('City').fill('Yogyakarta');
    await form.getByLabel('Province or state').fill('DI Yogyakarta');
    await form.getByLabel('Postal code').fill('55271');
    await form.getByLabel('Country code').fill('ZZ');
    await form.getByRole('button', { name: 'Add address' }).click();
    // The server's word on the field, beside the field; nothing was saved.
    expect(await fieldMessage(form.getByLabel('Country code'))).toContain(
      'country must be an ISO 3166-1 alpha-2 code',
    );
    expect(await form.getByLabel('Postal code').getAttribute('aria-invalid')).toBeNull();
    await expectAccessible(page, 'buyer addresses (field error)');
    expect(await addresses()).toEqual([]);

    await form.getByLabel('Country code').fill('id');
    await form.getByRole('button', { name: 'Add address' }).click();
    await page.getByText('Address for Siti Rahma added.').waitFor();
    const card = (name: string) =>
      page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
    await card('Siti Rahma').getByText('Default', { exact: true }).waitFor();
    // The form is empty again for the next one.
    expect(await form.getByLabel('Recipient').inputValue()).toBe('');

    await form.getByLabel('Recipient').fill('Budi Santoso');
    await form.getByLabel('Address line 1').fill('Jl. Braga 7');
    await form.getByLabel('City').fill('Bandung');
    await form.getByLabel('Province or state').fill('Jawa Barat');
    await form.getByLabel('Postal code').fill('40111');
    await form.getByLabel('Country code').fill('ID');
    await form.getByRole('button', { name: 'Add address' }).click();
    await page.getByText('Address for Budi Santoso added.').waitFor();
    await card('Budi Santoso').waitFor();
    expect(await card('Budi Santoso').getByText('Default', { exact: true }).count()).toBe(0);
    let stored = await addresses();
    expect(stored.map((each) => [each.name, each.country, each.is_default])).toEqual([
      ['Siti Rahma', 'ID', true],
      ['Budi Santoso', 'ID', false],
    ]);

    await page.getByRole('button', { name: 'Edit address of Budi Santoso' }).click();
    const edit = page.getByRole('form', { name: 'Edit address of Budi Santoso' });
    expect(await edit.getByLabel('Postal code').inputValue()).toBe('40111');
    await edit.getByLabel('Postal code').fill('40115');
    await edit.getByLabel('Address line 2 (optional)').fill('Lantai 3');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Address for Budi Santoso saved.').waitFor();
    await card('Budi Santoso').getByText('Lantai 3').waitFor();
    await card('Budi Santoso').getByText('40115', { exact: false }).waitFor();

    await page.getByRole('button', { name: 'Make default: address of Budi Santoso' }).click();
    await page.getByText('Address for Budi Santoso is now your default.').waitFor();
    await card('Budi Santoso').getByText('Default', { exact: true }).waitFor();
    await card('Siti Rahma').getByRole('button', { name: 'Make default: address of Siti Rahma' }).waitFor();
    stored = await addresses();
    const budi = stored.find((each) => each.name === 'Budi Santoso');
    expect(budi).toMatchObject({ postal_code: '40115', line2: 'Lantai 3', is_default: true });
    expect(stored.find((each) => each.name === 'Siti Rahma')?.is_default).toBe(false);

    await page.getByRole('button', { name: 'Delete address of Siti Rahma' }).click();
    await page
      .getByRole('group', { name: 'Delete address of Siti Rahma' })
      .getByRole('button', { name: 'Confirm' })
      .click();
    await page.getByText('Address for Siti Rahma deleted.').waitFor();
    await card('Siti Rahma').waitFor({ state: 'detached' });
    expect((await addresses()).map((each) => each.id)).toEqual([budi!.id]);
  });

  it('lets a seller create a per-region shipping option and edit it', async ({ onTestFailed }) => {
    const seller = await signUp(suite.app, { role: 'seller', name: 'Toko Kain' });
    const options = async () =>
      (await suite.app.api<ShippingOption[]>('GET', '/sellers/me/shipping-options', { token: seller.token }))
        .body.results;
    const page = await open(onTestFailed);
    await signInThroughUi(page, seller);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Seller dashboard' })
      .click();
    await page.getByRole('navigation', { name: 'Seller' }).getByRole('link', { name: 'Shipping' }).click();
    await page.waitForURL(/\/dashboard\/shipping$/);
    await page.getByText('You have no shipping options yet.').waitFor();
    await expectAccessible(page, 'seller shipping (empty)');

    const form = page.getByRole('form', { name: 'New shipping option' });
    await form.getByLabel('Name', { exact: true }).fill('JNE Regular');
    await form.getByLabel('Kind').selectOption('per_region');
    await form.getByLabel('Rate elsewhere (optional)').fill('50000');
    const region = (number: number) => form.getByRole('group', { name: `Region ${number}`, exact: true });
    await region(1).getByLabel('Country code').fill('ID');
    await region(1).getByLabel('Province or state (optional)').fill('Jawa Barat');
    await region(1).getByLabel('Rate', { exact: true }).fill('15000');
    await form.getByRole('button', { name: 'Add region' }).click();
    await region(2).getByLabel('Country code').fill('ZZ');
    await region(2).getByLabel('Rate', { exact: true }).fill('25000');
    await form.getByRole('button', { name: 'Create option' }).click();
    // The bad row is named, not the good one.
    expect(await fieldMessage(region(2).getByLabel('Country code'))).toContain('ISO 3166-1 alpha-2');
    expect(await region(1).getByLabel('Country code').getAttribute('aria-invalid')).toBeNull();
    await expectAccessible(page, 'seller shipping (field error)');
    expect(await options()).toEqual([]);

    await region(2).getByLabel('Country code').fill('ID');
    await form.getByRole('button', { name: 'Create option' }).click();
    await page.getByText('Shipping option JNE Regular created.').waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'JNE Regular' }) });
    await row.getByText('Per region').waitFor();
    await row.getByText('ID, Jawa Barat:').waitFor();
    await row.getByText('all of ID:').waitFor();
    let stored = await options();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      name: 'JNE Regular',
      kind: 'per_region',
      currency: 'IDR',
      amount: '50000',
      regions: [
        { country: 'ID', region: 'Jawa Barat', amount: '15000' },
        { country: 'ID', region: null, amount: '25000' },
      ],
    });

    await row.getByRole('button', { name: 'Edit JNE Regular' }).click();
    const edit = page.getByRole('form', { name: 'Edit JNE Regular' });
    expect(await edit.getByLabel('Currency').isDisabled()).toBe(true);
    const editRegion = (number: number) => edit.getByRole('group', { name: `Region ${number}`, exact: true });
    expect(await editRegion(1).getByLabel('Province or state (optional)').inputValue()).toBe('Jawa Barat');
    await edit.getByLabel('Name', { exact: true }).fill('JNE Reguler');
    await editRegion(1).getByLabel('Rate', { exact: true }).fill('17500');
    await edit.getByRole('button', { name: 'Remove region 2' }).click();
    await editRegion(2).waitFor({ state: 'detached' });
    await edit.getByLabel('Rate elsewhere (optional)').fill('');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes to JNE Reguler saved.').waitFor();
    const edited = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'JNE Reguler' }) });
    await edited.getByText('not shipped elsewhere').waitFor();
    expect(await edited.getByText('all of ID:').count()).toBe(0);
    stored = await options();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: stored[0]!.id,
      name: 'JNE Reguler',
      kind: 'per_region',
      currency: 'IDR',
      amount: null,
      regions: [{ country: 'ID', region: 'Jawa Barat', amount: '17500' }],
    });
  });

  it('lets an admin create, change and delete a tax rate', async ({ onTestFailed }) => {
    const admin = await adminOf(suite.app);
    // A region of its own: tax rates are global, and this one must not meet another test's.
    const region = `Bali ${randomUUID().slice(0, 6)}`;
    const rates = async () =>
      (await suite.app.api<TaxRate[]>('GET', '/admin/tax-rates', { token: admin.token })).body.results.filter(
        (each) => each.region === region,
      );
    const page = await open(onTestFailed);
    await signInThroughUi(page, admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin console' }).click();
    await page
      .getByRole('navigation', { name: 'Admin', exact: true })
      .getByRole('link', { name: 'Taxes' })
      .click();
    await page.waitForURL(/\/console\/taxes$/);
    await page.getByRole('heading', { level: 2, name: 'Tax rates' }).waitFor();
    await expectAccessible(page, 'admin tax rates');

    const form = page.getByRole('form', { name: 'New tax rate' });
    await form.getByLabel('Country code').fill('ID');
    await form.getByLabel('Province or state (optional)').fill(region);
    await form.getByLabel('Rate (%)').fill('11.555');
    await form.getByRole('button', { name: 'Create tax rate' }).click();
    expect(await fieldMessage(form.getByLabel('Rate (%)'))).toContain('up to two decimals');
    expect(await rates()).toEqual([]);

    await form.getByLabel('Rate (%)').fill('11');
    await form.getByRole('checkbox', { name: 'Prices already include this tax' }).check();
    await form.getByRole('button', { name: 'Create tax rate' }).click();
    await page.getByText(`Tax rate for ID, ${region} created.`).waitFor();
    const row = page.getByRole('row').filter({ hasText: region });
    await row.getByRole('cell', { name: '11%' }).waitFor();
    let stored = await rates();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      country: 'ID',
      region,
      tax_class: 'standard',
      rate_bps: 1100,
      inclusive: true,
      currency: null,
    });

    const subject = `the ID, ${region} standard rate`;
    await row.getByRole('button', { name: `Edit ${subject}` }).click();
    const edit = page.getByRole('form', { name: `Edit the ID, ${region} standard rate` });
    expect(await edit.getByLabel('Rate (%)').inputValue()).toBe('11');
    await edit.getByLabel('Rate (%)').fill('7.25');
    await edit.getByLabel('Currency').selectOption('IDR');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(`Tax rate for ID, ${region} saved.`).waitFor();
    await row.getByRole('cell', { name: '7.25%' }).waitFor();
    stored = await rates();
    expect(stored[0]).toMatchObject({ rate_bps: 725, currency: 'IDR', inclusive: true });

    await row.getByRole('button', { name: `Delete ${subject}` }).click();
    await row
      .getByRole('group', { name: `Delete ${subject}` })
      .getByRole('button', { name: 'Confirm' })
      .click();
    await page.getByText(`Tax rate for ID, ${region} deleted.`).waitFor();
    await row.waitFor({ state: 'detached' });
    expect(await rates()).toEqual([]);
  });

  it('lets a seller add a bank account, shown masked, and set a weekly payout schedule', async ({
    onTestFailed,
  }) => {
    const seller = await signUp(suite.app, { role: 'seller', name: 'Toko Batik' });
    const api = <T>(path: string) =>
      suite.app.api<T>('GET', path, { token: seller.token }).then((answer) => answer.body.results);
    const page = await open(onTestFailed);
    await signInThroughUi(page, seller);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Seller dashboard' })
      .click();
    await page.getByRole('navigation', { name: 'Seller' }).getByRole('link', { name: 'Payouts' }).click();
    await page.waitForURL(/\/dashboard\/payouts$/);
    const accounts = page.getByRole('region', { name: 'Bank accounts for payouts' });
    await accounts.getByText('No bank account yet').waitFor();
    await expectAccessible(page, 'seller payouts with settings');

    const add = accounts.getByRole('form', { name: 'Add a bank account' });
    await add.getByLabel('Bank').selectOption('mandiri');
    await add.getByLabel('Account number').fill('12');
    await add.getByLabel('Account holder').fill('Toko Batik');
    await add.getByRole('button', { name: 'Add bank account' }).click();
    expect(await fieldMessage(add.getByLabel('Account number'))).toContain('5 to 20 digits');
    expect(await api<unknown[]>('/sellers/me/payout-destinations')).toEqual([]);

    await add.getByLabel('Account number').fill('1234 5678 90');
    await add.getByRole('button', { name: 'Add bank account' }).click();
    await accounts.getByText('MANDIRI account ending in 7890 added.').waitFor();
    const row = accounts.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'MANDIRI' }) });
    await row.getByText('•••• 7890').waitFor();
    await row.getByText('Default', { exact: true }).waitFor();
    expect(await row.textContent()).not.toContain('1234567890');
    const destinations = await api<
      { id: string; bank_code: string; account_last4: string; is_default: boolean }[]
    >('/sellers/me/payout-destinations');
    expect(destinations).toMatchObject([
      { bank_code: 'mandiri', account_last4: '7890', holder_name: 'Toko Batik', is_default: true },
    ]);
    expect(JSON.stringify(destinations)).not.toContain('1234567890');

    const schedule = page.getByRole('form', { name: 'Automatic payouts' });
    await schedule.getByText('Now: no automatic payouts.').waitFor();
    await schedule.getByLabel('Frequency').selectOption('weekly');
    await schedule.getByLabel('Day of the week').selectOption({ label: 'Friday' });
    await schedule.getByLabel('Minimum amount').fill('500000');
    await schedule.getByLabel('Currency').selectOption('IDR');
    await schedule.getByLabel('Pay to').selectOption({ label: 'MANDIRI account ending in 7890' });
    await schedule.getByRole('button', { name: 'Save schedule' }).click();
    await schedule.getByText(/^Schedule saved: every Friday from /).waitFor();
    await schedule.getByText(/^Now: every Friday from /).waitFor();
    await expectAccessible(page, 'seller payouts (schedule saved)');
    expect(await api('/sellers/me/payout-schedule')).toMatchObject({
      frequency: 'weekly',
      weekday: 5,
      minimum_amount: '500000',
      currency: 'IDR',
      destination_id: destinations[0]!.id,
    });
  });
});
