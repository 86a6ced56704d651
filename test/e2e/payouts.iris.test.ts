import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisSignature } from '../../src/modules/midtrans/iris.rules.js';
import { eventually } from '../helpers/eventually.js';
import { bankPayoutRow, payoutEvents, startIrisWorld } from '../helpers/iris.js';
import { adminOf, reconcile, topUp, walletOf } from '../helpers/payments.js';
import { signUp, type TestApp } from '../helpers/test-app.js';

let world: Awaited<ReturnType<typeof startIrisWorld>>;
let app: TestApp;
let admin: { token: string };

beforeAll(async () => {
  // Stuck payouts are looked up quickly, so the reconciler case does not wait long.
  world = await startIrisWorld({ IRIS_STUCK_AFTER: '1s', IRIS_RECONCILE_INTERVAL: '200ms' });
  app = world.app;
  admin = await adminOf(app);
});
afterAll(() => world?.close());

type Destination = { id: string; account_last4: string; is_default: boolean; bank_code: string };

async function sellerWith(funds: string, account = '1234567890') {
  const seller = await signUp(app, { role: 'seller' });
  await topUp(app, seller.token, funds);
  const destination = await app.api<Destination>('POST', '/sellers/me/payout-destinations', {
    token: seller.token,
    body: { bank_code: 'bca', account_number: account, holder_name: 'Siti Rahma' },
  });
  expect(destination.status).toBe(201);
  return { ...seller, destination: destination.body.results };
}

const requestPayout = (token: string, amount: string, extra: Record<string, unknown> = {}) =>
  app.api<{ id: string; status: string }>('POST', '/wallet/payouts', {
    token,
    headers: { 'idempotency-key': randomUUID() },
    body: { amount, currency: 'IDR', ...extra },
  });

const settled = (payoutId: string, status: string) =>
  eventually(
    () => bankPayoutRow(app, payoutId),
    (row) => row?.status === status,
  );

const notify = (body: Record<string, unknown>, signature?: string) => {
  const raw = JSON.stringify(body);
  return app.api<{ outcome: string }>('POST', '/midtrans/iris/notifications', {
    raw,
    headers: {
      'content-type': 'application/json',
      'iris-signature': signature ?? irisSignature(raw, world.keys.merchantKey),
    },
  });
};

describe('payout destinations', () => {
  it('keeps account numbers and holder names encrypted and shows only the last four digits', async () => {
    const { token, destination } = await sellerWith('1000', '9876543210');
    expect(destination).toMatchObject({ bank_code: 'bca', account_last4: '3210', is_default: true });
    const listed = await app.api<Destination[]>('GET', '/sellers/me/payout-destinations', { token });
    expect(listed.body.results).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain('9876543210');
    const { rows } = await sql<{ account_number: string; holder_name: string }>`
      SELECT account_number, holder_name FROM payout_destinations WHERE id = ${destination.id}`.execute(
      app.platform.database.db as Kysely<object>,
    );
    expect(rows[0]!.account_number).toMatch(/^v1:/);
    expect(rows[0]!.account_number).not.toContain('9876543210');
    expect(rows[0]!.holder_name).not.toContain('Siti');
  });

  it('refuses unknown banks, a sixth destination and other sellers’ destinations', async () => {
    const seller = await sellerWith('1000');
    const add = (bank: string) =>
      app.api('POST', '/sellers/me/payout-destinations', {
        token: seller.token,
        body: { bank_code: bank, account_number: '11112222', holder_name: 'Siti' },
      });
    const unknown = await add('chase');
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.errors).toEqual([expect.objectContaining({ code: 'unknown_bank_code' })]);
    for (let n = 0; n < 4; n += 1) expect((await add('bni')).status).toBe(201);
    expect((await add('bri')).body.meta.code).toBe('too_many_destinations');

    const other = await signUp(app, { role: 'seller' });
    await topUp(app, other.token, '1000');
    const path = `/sellers/me/payout-destinations/${seller.destination.id}`;
    expect((await app.api('DELETE', path, { token: other.token })).status).toBe(404);
    expect((await requestPayout(other.token, '1', { destination_id: seller.destination.id })).status).toBe(
      400,
    );
    expect((await app.api('DELETE', path, { token: seller.token })).status).toBe(200);
    const left = await app.api<Destination[]>('GET', '/sellers/me/payout-destinations', {
      token: seller.token,
    });
    expect(left.body.results).toHaveLength(4);
    expect(left.body.results.filter((each) => each.is_default)).toHaveLength(1);
  });
});

describe('payout destinations at once', () => {
  it('keeps the limit and a single default when a seller adds many at the same time', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        app.api('POST', '/sellers/me/payout-destinations', {
          token: seller.token,
          body: { bank_code: 'bri', account_number: `7000000${n}`, holder_name: 'Siti', is_default: true },
        }),
      ),
    );
    expect(answers.filter((each) => each.status === 201)).toHaveLength(5);
    expect(answers.filter((each) => each.status === 422)).toHaveLength(7);
    const listed = await app.api<Destination[]>('GET', '/sellers/me/payout-destinations', {
      token: seller.token,
    });
    expect(listed.body.results).toHaveLength(5);
    expect(listed.body.results.filter((each) => each.is_default)).toHaveLength(1);
  });
});

describe('payouts through Iris', () => {
  it('pays out through Iris and posts the hold once Iris reports completion', async () => {
    const seller = await sellerWith('500000');
    const payout = await requestPayout(seller.token, '200000');
    expect(payout.status).toBe(201);
    const row = await settled(payout.body.results.id, 'completed');
    expect(world.iris.payout(row!.reference_no!)).toMatchObject({
      status: 'completed',
      amount: 200000n,
      beneficiaryAccount: '1234567890',
      beneficiaryBank: 'bca',
    });
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '300000', held: '0' });
    expect((await payoutEvents(app, payout.body.results.id)).map((event) => event.type)).toEqual([
      'payout.requested',
      'payout.completed',
    ]);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
    // The bank settles it: an admin completing or cancelling it too would move the money twice.
    const cancel = await app.api('POST', `/admin/payouts/${payout.body.results.id}/cancel`, {
      token: admin.token,
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(cancel.status).toBe(409);
  });

  it('gives the money back exactly once when the bank refuses, however often Iris says so', async () => {
    const seller = await sellerWith('500000', '0000000000');
    const payout = await requestPayout(seller.token, '450000');
    const row = await settled(payout.body.results.id, 'failed');
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        notify({ reference_no: row!.reference_no, amount: '450000.00', status: 'failed' }),
      ),
    );
    expect(outcomes.map((each) => each.body.results.outcome)).toEqual(Array(5).fill('duplicate'));
    await world.iris.sendNotification(row!.reference_no!, 'completed');
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '500000', held: '0' });
    expect((await payoutEvents(app, payout.body.results.id)).map((event) => event.type)).toEqual([
      'payout.requested',
      'payout.failed',
    ]);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
    // The seller hears of it by mail too: requested, then failed (once, however often Iris said so).
    const mails = await eventually(
      async () =>
        (
          await app.api<{ kind: string; subject: string }[]>('GET', `/admin/mail?user_id=${seller.id}`, {
            token: admin.token,
          })
        ).body.results.filter((mail) => mail.kind === 'payout'),
      (found) => found.length >= 2,
    );
    expect(mails.map((mail) => mail.subject).sort()).toEqual([
      'Payout failed: IDR 450,000',
      'Payout requested: IDR 450,000',
    ]);
  });

  it('settles once when fifty notifications of the same outcome race each other', async () => {
    const seller = await sellerWith('400000');
    world.iris.holdApprovals(true);
    const payout = await requestPayout(seller.token, '400000');
    const row = await settled(payout.body.results.id, 'processed').finally(() =>
      world.iris.holdApprovals(false),
    );
    const body = { reference_no: row!.reference_no, amount: '400000.00', status: 'completed' };
    const answers = await Promise.all(Array.from({ length: 50 }, () => notify(body)));
    const outcomes = answers.map((each) => each.body.results.outcome).sort();
    expect(outcomes).toEqual(['applied', ...Array(49).fill('duplicate')]);
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '0', held: '0' });
    expect((await payoutEvents(app, payout.body.results.id)).map((event) => event.type)).toEqual([
      'payout.requested',
      'payout.completed',
    ]);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('reverses a completed payout that the bank returns, once', async () => {
    const seller = await sellerWith('300000');
    const payout = await requestPayout(seller.token, '100000');
    const row = await settled(payout.body.results.id, 'completed');
    await world.iris.settle(row!.reference_no!, 'failed');
    await world.iris.sendNotification(row!.reference_no!, 'failed');
    const returned = await settled(payout.body.results.id, 'failed');
    expect(returned!.reversal_id).not.toBeNull();
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '300000', held: '0' });
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('finds out from Iris how a payout ended when no notification comes', async () => {
    const seller = await sellerWith('200000');
    world.iris.holdApprovals(true);
    const payout = await requestPayout(seller.token, '50000');
    const row = await settled(payout.body.results.id, 'processed').finally(() =>
      world.iris.holdApprovals(false),
    );
    await world.iris.settle(row!.reference_no!, 'completed', { notify: false });
    await settled(payout.body.results.id, 'completed');
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '150000', held: '0' });
  });

  it('leaves a payout without a destination to an admin, as before', async () => {
    const seller = await signUp(app, { role: 'seller' });
    await topUp(app, seller.token, '1000');
    const payout = await requestPayout(seller.token, '1000');
    expect(await bankPayoutRow(app, payout.body.results.id)).toBeUndefined();
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '0', held: '1000' });
  });
});

describe('Iris notifications', () => {
  it('refuses a bad signature, and a reference it never sent', async () => {
    const body = { reference_no: 'ir-unknown', amount: '1000.00', status: 'completed' };
    const forged = await notify(body, 'ab'.repeat(64));
    expect(forged.status).toBe(401);
    expect((await notify(body, undefined)).status).toBe(404);
    const missing = await app.api('POST', '/midtrans/iris/notifications', {
      raw: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(missing.status).toBe(401);
  });

  it('refuses a body that is not a notification or too large', async () => {
    const unknownStatus = await notify({ reference_no: 'r', amount: '1000.00', status: 'paid' });
    expect(unknownStatus.status).toBe(400);
    const huge = await notify({
      reference_no: 'r',
      amount: '1.00',
      status: 'failed',
      pad: 'x'.repeat(20_000),
    });
    expect(huge.status).toBe(413);
  });
});
