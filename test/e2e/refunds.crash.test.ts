import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createMidtransSandbox,
  type MidtransSandbox,
} from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import { runCli } from '../helpers/cli.js';
import { callApi, signUpAt } from '../helpers/http.js';
import { CrashableServer, freePort } from '../helpers/crashable-server.js';
import { eventually } from '../helpers/eventually.js';
import type { PaymentJson, RefundJson } from '../helpers/payments.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * A refund interrupted by SIGKILL of the server between its two phases: the ledger hold is
 * committed and Midtrans has executed the refund, but its answer never reached us. Retries
 * under the same Idempotency-Key after the restart (and the reconciler) must settle that
 * one refund, never execute a second.
 */

const SERVER_KEY = 'SB-Mid-server-crash-test';
const RETRIES = 20;

const call = callApi;

const signUp = signUpAt;

describe('a refund interrupted by SIGKILL between its phases', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-refund-crash-'));
  let database: TestDatabase | undefined;
  let server: CrashableServer | undefined;
  let sandbox: MidtransSandbox | undefined;

  afterAll(async () => {
    await server?.kill();
    await sandbox?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`is executed once by the gateway through ${RETRIES} retries after the restart`, async ({
    onTestFailed,
  }) => {
    if (testDatabase() === 'postgres') database = await createTestDatabase();
    const port = await freePort();
    sandbox = createMidtransSandbox({
      serverKey: SERVER_KEY,
      notificationUrl: `http://127.0.0.1:${port}/payments/midtrans/webhook`,
      retry: { attempts: 5, baseDelayMs: 100 },
    });
    const sandboxUrl = await sandbox.listen();
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database?.url ?? '',
      LOG_LEVEL: 'warn',
      MIDTRANS_SERVER_KEY: SERVER_KEY,
      MIDTRANS_SNAP_URL: sandboxUrl,
      MIDTRANS_API_URL: sandboxUrl,
      MIDTRANS_TIMEOUT: '2s',
      // A key whose holder died is free again a second later (the default is a minute).
      IDEMPOTENCY_LEASE: '1s',
      REFUND_CHECK_DELAY: '2s',
      REFUND_RECONCILE_INTERVAL: '250ms',
    };
    server = new CrashableServer(env, port);
    const srv = server;
    onTestFailed(() => console.log(`server output:${srv.output()}`));
    await server.start();
    const url = server.url;

    const seller = await signUp(url, 'seller');
    const buyer = await signUp(url, 'buyer');
    const product = await call<{ id: string }>(url, 'POST', '/products', {
      token: seller.token,
      body: { name: 'Songket', description: 'Woven', price: '20000', stock: 3 },
    });
    const payment = (
      await call<PaymentJson>(url, 'POST', '/payments', {
        token: buyer.token,
        body: { product_id: product.body.results.id, quantity: 1, payment_method: 'midtrans' },
      })
    ).body.results;
    await sandbox.pay(payment.id, 'settlement');
    await eventually(
      async () =>
        (await call<PaymentJson>(url, 'GET', `/payments/${payment.id}`, { token: buyer.token })).body.results
          .status,
      (status) => status === 'succeeded',
    );

    // Phase 2 reaches Midtrans, which refunds and then never answers; the server dies there.
    sandbox.setRefundFault('hang_after_executing');
    const key = randomUUID();
    const body = { amount: '5000', reason: 'damaged in transit' };
    const first = Array.from({ length: RETRIES }, () =>
      call<RefundJson>(url, 'POST', `/payments/${payment.id}/refunds`, {
        token: seller.token,
        body,
        key,
      }).catch(() => undefined),
    );
    await eventually(
      () => sandbox!.refunds(payment.id).length,
      (n) => n === 1,
    );
    await server.kill();
    await Promise.all(first);
    sandbox.setRefundFault('none');

    await server.start();
    const retries = await Promise.all(
      Array.from({ length: RETRIES }, () =>
        call<RefundJson>(url, 'POST', `/payments/${payment.id}/refunds`, { token: seller.token, body, key }),
      ),
    );
    expect(retries.every((r) => [201, 202, 409].includes(r.status))).toBe(true);
    const settled = await eventually(
      async () =>
        (await call<RefundJson[]>(url, 'GET', `/payments/${payment.id}/refunds`, { token: seller.token }))
          .body.results,
      (refunds) => refunds.length === 1 && refunds[0]!.status === 'succeeded',
      20_000,
      100,
    );
    const replay = await call<RefundJson>(url, 'POST', `/payments/${payment.id}/refunds`, {
      token: seller.token,
      body,
      key,
    });
    expect(replay.body.results.id).toBe(settled[0]!.id);
    expect(sandbox.refunds(payment.id)).toHaveLength(1);
    expect(sandbox.refunds(payment.id)[0]!.amount).toBe(5_000n);
    const after = (await call<PaymentJson>(url, 'GET', `/payments/${payment.id}`, { token: buyer.token }))
      .body.results;
    expect(after).toMatchObject({ status: 'partially_refunded', refunded_amount: '5000' });

    const check = await runCli(['ledger', 'check'], env);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('ledger ok');
  }, 180_000);
});
