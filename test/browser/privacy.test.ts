import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSuite, expectAccessible, signInThroughUi } from '../helpers/browser.js';
import { adminOf } from '../helpers/payments.js';
import { signUp } from '../helpers/test-app.js';

/**
 * A person's privacy rights in a real Chromium, used as a person would: the do-not-sell
 * choice, downloading their data, erasing their account (and then being signed out), and an
 * admin finding the erasure in the console's audit log. Every page is checked with axe.
 */
describe('privacy rights in a browser', () => {
  const suite = browserSuite();
  const { open } = suite;

  it('lets a person opt out of sharing, download their data and erase their account', async ({
    onTestFailed,
  }) => {
    const person = await signUp(suite.app, { name: 'Sari Wulandari' });
    const page = await open(onTestFailed);
    await signInThroughUi(page, person);
    await page.getByRole('navigation').getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Account settings' }).waitFor();
    const privacy = page.getByRole('region', { name: 'Privacy' });

    const doNotSell = privacy.getByRole('checkbox', { name: 'Do not sell or share my personal data' });
    await doNotSell.check();
    await privacy.getByText('Saved.').waitFor();
    await privacy.getByRole('cell', { name: 'Do not sell or share' }).waitFor();
    await expectAccessible(page, 'settings with privacy');

    const download = page.waitForEvent('download');
    await privacy.getByRole('button', { name: 'Download my data' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^mamlaka-export-.*\.json$/);
    // The browser runs apart from the tests: the file is copied over to be read.
    const saved = path.join(mkdtempSync(path.join(tmpdir(), 'mamlaka-export-')), file.suggestedFilename());
    await file.saveAs(saved);
    const exported = JSON.parse(readFileSync(saved, 'utf8')) as {
      user: { name: string };
      privacy: { consents: { do_not_sell: { granted: boolean } } };
    };
    expect(exported.user.name).toBe('Sari Wulandari');
    expect(exported.privacy.consents.do_not_sell.granted).toBe(true);

    await privacy.getByRole('button', { name: 'Delete my account…' }).click();
    await privacy.getByLabel('Your password').fill(person.password);
    await privacy.getByRole('checkbox', { name: 'I understand this cannot be undone' }).check();
    await expectAccessible(page, 'settings erasure confirmation');
    await privacy.getByRole('button', { name: 'Delete my account permanently' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).waitFor();

    const login = await suite.app.api('POST', '/users/login', {
      body: { email: person.email, password: person.password },
    });
    expect(login.status).toBe(401);

    // An admin finds the erasure in the console's audit log.
    const admin = await adminOf(suite.app);
    const adminPage = await open(onTestFailed);
    await signInThroughUi(adminPage, admin);
    await adminPage.goto('/console/audit');
    await adminPage.getByRole('heading', { level: 2, name: 'Audit log' }).waitFor();
    await adminPage.getByLabel('Subject user id').fill(person.id);
    await adminPage.getByLabel('Action', { exact: true }).fill('user.erase');
    await adminPage.getByRole('button', { name: 'Filter' }).click();
    await adminPage.getByRole('rowheader', { name: 'user.erase' }).waitFor();
    await expect(adminPage.getByRole('rowheader').count()).resolves.toBe(1);
    await expectAccessible(adminPage, 'admin audit');
  });
});
