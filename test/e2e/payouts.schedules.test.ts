import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMidtransSandbox,
  type MidtransSandbox,
} from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import { eventually } from '../helpers/eventually.js';
import { irisEnv, irisKeys } from '../helpers/iris.js';
import { adminOf, reconcile, topUp, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let sandbox: MidtransSandbox;
/** Two instances over one database, both running the schedule job, often. */
let first: TestApp;
let second: TestApp;

beforeAll(async () => {
  const keys = irisKeys();
  sandbox = createMidtransSandbox({ serverKey: 'SB-Mid-server-schedules', iris: keys });
  const env = { ...irisEnv(await sandbox.listen(), keys), PAYOUT_SCHEDULE_INTERVAL: '40ms' };
  first = await startTestApp(env);
  second = await startTestApp(env, { db: first.db, dataDir: first.config.dataDir });
  sandbox.iris!.connect(`${first.url}/midtrans/iris/notifications`);
});
afterAll(async () => {
  await second?.close();
  await first?.close();
  await sandbox?.close();
});

const holdsOf = async (sellerId: string) => {
  const { rows } = await sql<{ reference: string }>`
    SELECT reference FROM ledger_transactions
    WHERE kind = 'payout' AND pending_id IS NULL AND reference LIKE ${`${sellerId}:%`}`.execute(
    first.platform.database.db as Kysely<object>,
  );
  return rows;
};

const schedule = (token: string, body: Record<string, unknown>) =>
  first.api<{ frequency: string; last_run_on: string | null; minimum_amount: string }>(
    'PUT',
    '/sellers/me/payout-schedule',
    { token, body },
  );

describe('scheduled payouts', () => {
  it('pays the whole balance once a day, however many instances run the job', async () => {
    const seller = await signUp(first, { role: 'seller' });
    await topUp(first, seller.token, '750000');
    await first.api('POST', '/sellers/me/payout-destinations', {
      token: seller.token,
      body: { bank_code: 'mandiri', account_number: '5550001111', holder_name: 'Budi' },
    });
    const set = await schedule(seller.token, { frequency: 'daily', minimum_amount: '100000' });
    expect(set.status).toBe(200);
    expect(set.body.results).toMatchObject({
      frequency: 'daily',
      minimum_amount: '100000',
      last_run_on: null,
    });

    const today = new Date().toISOString().slice(0, 10);
    await eventually(
      async () =>
        (
          await first.api<{ last_run_on: string | null }>('GET', '/sellers/me/payout-schedule', {
            token: seller.token,
          })
        ).body,
      (body) => body.results.last_run_on === today,
    );
    // Many more rounds of both instances' jobs: still the one payout of today.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await holdsOf(seller.id)).toEqual([{ reference: `${seller.id}:schedule:${today}` }]);
    await eventually(
      () => walletOf(first, seller.token),
      (wallet) => wallet.available === '0' && wallet.held === '0',
    );
    expect(
      sandbox.iris!.payouts().filter((payout) => payout.beneficiaryAccount === '5550001111'),
    ).toHaveLength(1);
    // New money the same day waits for the next period, on either instance.
    await topUp(first, seller.token, '200000');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await holdsOf(seller.id)).toHaveLength(1);
    expect(await walletOf(first, seller.token)).toMatchObject({ available: '200000', held: '0' });
    expect((await reconcile(first, (await adminOf(first)).token)).ok).toBe(true);
  });

  it('waits while the balance is under the minimum, and never pays a schedule that is off', async () => {
    const seller = await signUp(first, { role: 'seller' });
    await topUp(first, seller.token, '5000');
    await schedule(seller.token, { frequency: 'daily', minimum_amount: '10000' });
    const other = await signUp(first, { role: 'seller' });
    await topUp(first, other.token, '50000');
    await schedule(other.token, { frequency: 'off', minimum_amount: '1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await holdsOf(seller.id)).toEqual([]);
    expect(await holdsOf(other.id)).toEqual([]);
    expect((await walletOf(first, seller.token)).available).toBe('5000');
  });

  it('refuses a weekly schedule without its weekday and a destination that is not yours', async () => {
    const seller = await signUp(first, { role: 'seller' });
    const noDay = await schedule(seller.token, { frequency: 'weekly', minimum_amount: '1000' });
    expect(noDay.status).toBe(400);
    const stranger = await schedule(seller.token, {
      frequency: 'daily',
      minimum_amount: '1000',
      destination_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(stranger.status).toBe(400);
    const weekly = await schedule(seller.token, { frequency: 'weekly', weekday: 1, minimum_amount: '1000' });
    expect(weekly.body.results).toMatchObject({ frequency: 'weekly', weekday: 1 });
    const buyer = await signUp(first);
    expect((await first.api('GET', '/sellers/me/payout-schedule', { token: buyer.token })).status).toBe(403);
  });
});
