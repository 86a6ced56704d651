import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { callApi, signUpAt } from '../helpers/http.js';
import { CrashableServer, freePort } from '../helpers/crashable-server.js';
import { eventually } from '../helpers/eventually.js';
import type { PaymentJson } from '../helpers/payments.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { signingKeyPem, liveSecretsEnv } from '../helpers/test-app.js';

/**
 * The all-in-one server in sandbox mode with no Midtrans configured serves the bundled
 * Midtrans sandbox itself, under /midtrans-sandbox, and keeps its transactions in DATA_DIR:
 * a pay link handed out before a restart (even a SIGKILL) still opens and pays after it.
 */

const call = callApi;

const signUp = signUpAt;

/** A buyer's pending Midtrans payment for one product of a new seller. */
async function checkOut(url: string) {
  const seller = await signUp(url, 'seller');
  const buyer = await signUp(url, 'buyer');
  const product = await call<{ id: string }>(url, 'POST', '/products', {
    token: seller.token,
    body: { name: 'Songket', description: 'Woven', price: '20000', stock: 3 },
  });
  expect(product.status).toBe(201);
  const created = await call<PaymentJson>(url, 'POST', '/payments', {
    token: buyer.token,
    body: { product_id: product.body.results.id, quantity: 1, payment_method: 'midtrans' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { buyer, payment: created.body.results };
}

/** What the customer does: opens the pay link, and submits the page's Pay form. */
async function payOnThePage(paymentUrl: string) {
  const page = await fetch(paymentUrl);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  expect(html).toContain('20000.00');
  const form =
    /<form method="post" action="([^"]+)"><input type="hidden" name="action" value="settlement">/.exec(html);
  expect(form, html).not.toBeNull();
  const paid = await fetch(new URL(form![1]!.replaceAll('&amp;', '&'), paymentUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action: 'settlement' }).toString(),
    redirect: 'manual',
  });
  // Like Snap, the page sends the customer back to the shop's order page with the outcome.
  expect(paid.status).toBe(303);
  const back = new URL(paid.headers.get('location')!);
  expect(back.pathname).toMatch(/^\/account\/orders\/[0-9a-f-]{36}$/);
  expect(back.searchParams.get('transaction_status')).toBe('settlement');
}

const statusOf = async (url: string, token: string, id: string) =>
  (await call<PaymentJson>(url, 'GET', `/payments/${id}`, { token })).body.results.status;

/** Every mail the server wrote to DATA_DIR/mail, parsed. */
async function mailsIn(dataDir: string): Promise<ParsedMail[]> {
  const dir = path.join(dataDir, 'mail');
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).filter((name) => name.endsWith('.eml'));
  return Promise.all(names.map((name) => simpleParser(readFileSync(path.join(dir, name)))));
}

describe('the bundled Midtrans sandbox of the all-in-one server', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-local-midtrans-'));
  let database: TestDatabase | undefined;
  let server: CrashableServer | undefined;

  afterAll(async () => {
    await server?.kill();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('pays a link handed out before the server was killed and started again', async ({ onTestFailed }) => {
    if (testDatabase() === 'postgres') database = await createTestDatabase();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    server = new CrashableServer(
      {
        DATA_DIR: dataDir,
        DATABASE_URL: database?.url ?? '',
        LOG_LEVEL: 'warn',
        PUBLIC_URL: publicUrl,
        MAIL_SEND_INTERVAL: '100ms',
      },
      port,
    );
    const srv = server;
    onTestFailed(() => console.log(`server output:${srv.output()}`));
    await server.start();
    const url = server.url;

    const { buyer, payment } = await checkOut(url);
    expect(payment.status).toBe('pending');
    expect(payment.payment_url).toMatch(
      new RegExp(`^${publicUrl}/midtrans-sandbox/snap/v2/vtweb/[0-9a-f-]{36}$`),
    );
    expect(payment.expires_at).not.toBeNull();

    // The pending mail carries the pay link and when it expires.
    const subject = `Payment pending: ${payment.payment_code}`;
    const mails = await eventually(
      () => mailsIn(dataDir),
      (parsed) => parsed.some((mail) => mail.subject === subject),
      20_000,
      200,
    );
    const pendingMail = mails.find((mail) => mail.subject === subject);
    expect(pendingMail!.text).toContain(payment.payment_url!);
    expect(pendingMail!.html).toContain(`href="${payment.payment_url!}"`);
    expect(pendingMail!.text).toMatch(/Pay by: +\d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    // Kept owner-only before the link was handed out.
    const stateFile = path.join(dataDir, 'midtrans-sandbox', 'state.json');
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(stateFile, 'utf8')).toContain(payment.id);

    await server.kill();
    await server.start();

    await payOnThePage(payment.payment_url!);
    await eventually(
      () => statusOf(url, buyer.token, payment.id),
      (status) => status === 'succeeded',
    );
  }, 180_000);

  it('answers as Midtrans does, outside the API envelope, and stays out of the OpenAPI document', async () => {
    const url = server!.url;
    const snap = await fetch(`${url}/midtrans-sandbox/snap/v1/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transaction_details: { order_id: 'x-1', gross_amount: 1000 } }),
    });
    expect(snap.status).toBe(401);
    const body = (await snap.json()) as Record<string, unknown>;
    expect(body.error_messages).toEqual(expect.arrayContaining([expect.stringContaining('unauthorized')]));
    expect(body).not.toHaveProperty('meta');
    const status = await fetch(`${url}/midtrans-sandbox/v2/x-1/status`);
    expect(await status.json()).toEqual({
      status_code: '401',
      status_message: 'Transaction cannot be authorized with the current client/server key.',
    });
    const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths).filter((p) => p.includes('midtrans-sandbox'))).toEqual([]);
  });
});

describe('the bundled Midtrans sandbox of a server on port 0', () => {
  it.each(['0.0.0.0', '127.0.0.1'])(
    'reaches itself once it listens (HOST=%s), with pay links on the address it got',
    async (host) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-local-midtrans-'));
      const database = testDatabase() === 'postgres' ? await createTestDatabase() : undefined;
      let running: RunningServer | undefined;
      try {
        const config = loadConfig({
          DATA_DIR: dataDir,
          LOG_LEVEL: 'silent',
          HOST: host,
          PORT: '0',
          GRPC_PORT: '0',
          ...(database?.url ? { DATABASE_URL: database.url } : {}),
        });
        running = await startServer(config, createLogger(config));
        const { buyer, payment } = await checkOut(running.url);
        const port = new URL(running.url).port;
        expect(payment.payment_url).toMatch(
          new RegExp(`^http://127\\.0\\.0\\.1:${port}/midtrans-sandbox/snap/v2/vtweb/`),
        );
        await payOnThePage(payment.payment_url!);
        await eventually(
          () => statusOf(running!.url, buyer.token, payment.id),
          (status) => status === 'succeeded',
        );
      } finally {
        await running?.stop();
        await database?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('is never served in live mode', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-local-midtrans-'));
    const database = testDatabase() === 'postgres' ? await createTestDatabase() : undefined;
    let running: RunningServer | undefined;
    try {
      const config = loadConfig({
        MAMLAKA_MODE: 'live',
        JWT_PRIVATE_KEY: signingKeyPem(),
        ...liveSecretsEnv(),
        PUBLIC_URL: 'https://api.example',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        GRPC_PORT: '0',
        ...(database?.url ? { DATABASE_URL: database.url } : {}),
      });
      running = await startServer(config, createLogger(config));
      const page = await call(running.url, 'GET', '/midtrans-sandbox/snap/v2/vtweb/any');
      expect(page.status).toBe(404);
      expect(page.body.meta.code).toBe('route_not_found');
      expect(existsSync(path.join(dataDir, 'midtrans-sandbox'))).toBe(false);
    } finally {
      await running?.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
