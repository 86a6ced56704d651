import { describe, expect, it } from 'vitest';
import { base32Decode, hotp, timeStep } from '../../src/modules/users/users.totp.js';
import { browserSuite, expectAccessible, signInThroughUi } from '../helpers/browser.js';
import { mailsTo } from '../helpers/mailbox.js';
import { eventually } from '../helpers/eventually.js';
import { signUp } from '../helpers/test-app.js';

/**
 * Account recovery in a real Chromium, as a person does it: "Forgot your password?", the
 * link from the mail (read from the mail file the platform wrote), a new password; and a
 * seller turning on two-step sign-in in the settings and then signing in with a code.
 */
describe('account recovery in a browser', () => {
  const suite = browserSuite({ MAIL_SEND_INTERVAL: '100ms' });
  const { open } = suite;

  it('resets a forgotten password through the link in the mail', async ({ onTestFailed }) => {
    const person = await signUp(suite.app, { name: 'Rina Marlina' });
    const page = await open(onTestFailed);
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill(person.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(/a reset link is on its way/).waitFor();
    await expectAccessible(page, 'forgot password');

    const [mail] = await eventually(
      async () =>
        (await mailsTo(suite.app, person.email)).filter((each) => /reset/i.test(each.subject ?? '')),
      (found) => found.length === 1,
    );
    const link = /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(mail!.text ?? '')![0];
    expect(link.startsWith(suite.app.url)).toBe(true);
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('a fresh new secret');
    await page.getByLabel('Confirm new password').fill('a fresh new secret');
    await expectAccessible(page, 'reset password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password was changed').waitFor();

    await signInThroughUi(page, { email: person.email, password: 'a fresh new secret' });
  });

  it('lets a seller turn on two-step sign-in and then asks for the code', async ({ onTestFailed }) => {
    const seller = await signUp(suite.app, { role: 'seller', name: 'Agus Setiawan' });
    const page = await open(onTestFailed);
    await signInThroughUi(page, seller);
    await page.goto('/account/settings');
    const section = page.getByRole('region', { name: 'Two-step sign-in' });
    await section.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    const secret = (await section.getByLabel('Key').textContent())!.trim();
    // Each code is taken at the step it is typed in or a later one, so it stays valid for at
    // least one whole step (the platform accepts one step either side) however slow the run;
    // the sign-in's code is a step ahead of the setup's, so it is never refused as a replay.
    const code = (offset: number) => hotp(base32Decode(secret), timeStep(Date.now()) + BigInt(offset));
    await section.getByLabel('Authentication code').fill(code(0));
    await section.getByRole('button', { name: 'Turn on' }).click();
    await section.getByRole('list', { name: 'Your recovery codes' }).waitFor();
    expect(await section.getByRole('listitem').count()).toBe(10);
    await expectAccessible(page, 'two-step sign-in on');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto('/signin');
    await page.getByLabel('Email').fill(seller.email);
    await page.getByLabel('Password', { exact: true }).fill(seller.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Two-step sign-in' }).waitFor();
    await expectAccessible(page, 'two-step sign-in code');
    await page.getByLabel('Authentication code').fill(code(1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });
});
