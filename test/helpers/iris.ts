import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import {
  createMidtransSandbox,
  type MidtransSandbox,
} from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import type { IrisSandbox } from '../../src/modules/midtrans/sandbox/iris.server.js';
import { startTestApp, type TestApp } from './test-app.js';

export const irisKeys = () => ({
  creatorKey: `IRIS-creator-${randomBytes(6).toString('hex')}`,
  approverKey: `IRIS-approver-${randomBytes(6).toString('hex')}`,
  merchantKey: `IRIS-merchant-${randomBytes(6).toString('hex')}`,
});

/** The environment that points the platform at an Iris sandbox at `sandboxUrl`. */
export const irisEnv = (sandboxUrl: string, keys: ReturnType<typeof irisKeys>) => ({
  IRIS_API_URL: `${sandboxUrl}/iris`,
  IRIS_CREATOR_KEY: keys.creatorKey,
  IRIS_APPROVER_KEY: keys.approverKey,
  IRIS_MERCHANT_KEY: keys.merchantKey,
});

/** The app and the bundled sandbox's Iris, each calling the other over real HTTP. */
export async function startIrisWorld(env: Record<string, string> = {}) {
  const keys = irisKeys();
  const sandbox: MidtransSandbox = createMidtransSandbox({
    serverKey: 'SB-Mid-server-iris-test',
    iris: keys,
  });
  const sandboxUrl = await sandbox.listen();
  const app: TestApp = await startTestApp({ ...irisEnv(sandboxUrl, keys), ...env });
  const iris = sandbox.iris as IrisSandbox;
  iris.connect(`${app.url}/midtrans/iris/notifications`);
  return {
    app,
    iris,
    keys,
    sandboxUrl,
    async close() {
      await app.close();
      await sandbox.close();
    },
  };
}

/** The platform's record of a bank payout, read straight from its table. */
export async function bankPayoutRow(app: TestApp, payoutId: string) {
  const { rows } = await sql<{ status: string; reference_no: string | null; reversal_id: string | null }>`
    SELECT status, reference_no, reversal_id FROM iris_payouts WHERE payout_id = ${payoutId}`.execute(
    app.platform.database.db as Kysely<object>,
  );
  return rows[0];
}

/** The outbox events of one payout, oldest first. */
export async function payoutEvents(app: TestApp, payoutId: string) {
  const { rows } = await sql<{ type: string; data: Record<string, unknown> }>`
    SELECT type, data FROM outbox_events WHERE aggregate = ${`payout:${payoutId}`} ORDER BY position`.execute(
    app.platform.database.db as Kysely<object>,
  );
  return rows;
}
