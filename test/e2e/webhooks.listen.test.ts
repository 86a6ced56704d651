import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../scripts/split-deployment.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PublicDelivery } from '../../src/modules/webhooks/webhooks.public.js';
import { signatureHeader } from '../../src/modules/webhooks/webhooks.signature.js';
import { eventually } from '../helpers/eventually.js';
import { market, type PaymentJson } from '../helpers/payments.js';
import { testDatabase } from '../helpers/services.js';
import { signUp, startLiveApp, startTestApp, type TestApp } from '../helpers/test-app.js';

// The CLI is a new Node process that compiles the sources (tsx) before it listens.
vi.setConfig({ testTimeout: 90_000 });

/** `mamlaka webhooks listen …` from source, as in the README, with its stdout as lines. */
interface Listener {
  child: ChildProcess;
  lines: () => string[];
  exited: Promise<number | null>;
}

function startListener(args: string[], env: Record<string, string> = {}): Promise<Listener> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'webhooks', 'listen', ...args],
    { env: { ...process.env, MAMLAKA_WEBHOOK_SECRET: '', ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listener = { child, lines: () => stdout.split('\n').filter(Boolean), exited };
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (listener.lines().length > 0) {
        clearInterval(timer);
        resolve(listener);
      }
    }, 25);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`listener exited (${code}):\n${stdout}${stderr}`));
    });
  });
}

describe('trying webhooks locally with `mamlaka webhooks listen`', () => {
  let app: TestApp;
  let listener: Listener | undefined;
  beforeAll(async () => {
    // Sandbox mode (the default) and no WEBHOOK_ALLOW_LIST: nothing to set up for loopback.
    app = await startTestApp({ WEBHOOK_DELIVERY_INTERVAL: '100ms' });
  });
  afterAll(async () => {
    listener?.child.kill('SIGKILL');
    await app?.close();
  });

  it('prints each verified delivery, refuses a forged one, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { buyer, product } = await market(app, { funds: '100000' });
    const registered = await app.api<{ id: string; secret: string }>('POST', '/webhooks', {
      token: buyer.token,
      body: { url: `http://127.0.0.1:${port}/hooks`, event_types: ['payment.succeeded'] },
    });
    expect(registered.status).toBe(201);
    const { id: endpointId, secret } = registered.body.results;

    listener = await startListener(['--port', String(port)], { MAMLAKA_WEBHOOK_SECRET: secret });
    expect(listener.lines()[0]).toBe(
      `listening for webhooks on http://127.0.0.1:${port} (any path); checking signatures`,
    );

    const paid = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
    });
    expect(paid.body.results.status).toBe('succeeded');
    const deliveries = await eventually(
      async () =>
        (
          await app.api<PublicDelivery[]>('GET', `/webhooks/${endpointId}/deliveries`, {
            token: buyer.token,
          })
        ).body.results,
      (found) => found.length === 1 && found[0]!.status === 'delivered',
    );
    const delivery = deliveries[0]!;
    expect(JSON.parse(delivery.payload)).toMatchObject({ data: { id: paid.body.results.id } });
    await eventually(listener.lines, (lines) => lines.length >= 2);
    expect(listener.lines().slice(1)).toEqual([`payment.succeeded ${delivery.event_id} signature ok`]);

    // Signed with another secret: answered 400, so the platform would retry it.
    const forged = JSON.stringify({ id: 'evt_forged', type: 'payment.succeeded', data: {} });
    const refused = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'mamlaka-signature': signatureHeader('whsec_wrong', forged, Math.floor(Date.now() / 1000)),
      },
      body: forged,
    });
    expect(refused.status).toBe(400);
    await eventually(listener.lines, (lines) => lines.length >= 3);
    expect(listener.lines()[2]).toBe('payment.succeeded evt_forged signature invalid (signature_mismatch)');

    listener.child.kill('SIGTERM');
    expect(await listener.exited).toBe(0);
  });

  // The CLI alone, no database: once is enough.
  it.runIf(testDatabase() === 'pglite')(
    'takes the secret as --secret, and without one accepts deliveries unverified',
    async () => {
      const withFlag = await startListener(['--port', '0', '--secret', 'whsec_flag']);
      const url = /on (http:\/\/\S+)/.exec(withFlag.lines()[0]!)![1]!;
      const body = JSON.stringify({ id: 'evt_1', type: 'payment.created' });
      const signed = await fetch(`${url}/x`, {
        method: 'POST',
        headers: { 'mamlaka-signature': signatureHeader('whsec_flag', body, Math.floor(Date.now() / 1000)) },
        body,
      });
      expect(signed.status).toBe(200);
      await eventually(withFlag.lines, (lines) => lines.length >= 2);
      expect(withFlag.lines()[1]).toBe('payment.created evt_1 signature ok');
      withFlag.child.kill('SIGINT');
      expect(await withFlag.exited).toBe(0);

      const open = await startListener(['--port', '0']);
      expect(open.lines()[0]).toContain('not checking signatures');
      const openUrl = /on (http:\/\/\S+)/.exec(open.lines()[0]!)![1]!;
      expect((await fetch(openUrl, { method: 'POST', body })).status).toBe(200);
      await eventually(open.lines, (lines) => lines.length >= 2);
      expect(open.lines()[1]).toBe('payment.created evt_1 unverified');
      open.child.kill('SIGTERM');
      expect(await open.exited).toBe(0);
    },
  );

  it.runIf(testDatabase() === 'pglite')(
    'with --count, exits by itself after that many accepted deliveries',
    async () => {
      const once = await startListener(['--port', '0', '--count', '1', '--secret', 'whsec_once']);
      const url = /on (http:\/\/\S+)/.exec(once.lines()[0]!)![1]!;
      const body = JSON.stringify({ id: 'evt_2', type: 'payment.succeeded' });
      // A refused delivery does not count.
      expect((await fetch(url, { method: 'POST', body })).status).toBe(400);
      expect(once.child.exitCode).toBeNull();
      const header = signatureHeader('whsec_once', body, Math.floor(Date.now() / 1000));
      const signed = await fetch(url, { method: 'POST', headers: { 'mamlaka-signature': header }, body });
      expect(signed.status).toBe(200);
      expect(await once.exited).toBe(0);
      expect(once.lines().at(-1)).toBe('payment.succeeded evt_2 signature ok');
    },
  );

  it('lets only a sandbox platform deliver to loopback without WEBHOOK_ALLOW_LIST', async () => {
    const live = await startLiveApp({ WEBHOOK_DELIVERY_INTERVAL: '1h' });
    try {
      for (const target of [app, live]) {
        const user = await signUp(target);
        const results = await Promise.all(
          ['http://127.0.0.1:9/hooks', 'http://localhost:9/hooks', 'http://[::1]:9/hooks'].map(
            async (url) =>
              (
                await target.api('POST', '/webhooks', {
                  token: user.token,
                  body: { url, event_types: ['*'] },
                })
              ).status,
          ),
        );
        expect(results).toEqual(target === app ? [201, 201, 201] : [400, 400, 400]);
        const metadata = await target.api('POST', '/webhooks', {
          token: user.token,
          body: { url: 'http://169.254.169.254/latest', event_types: ['*'] },
        });
        expect(metadata.status).toBe(400);
      }
    } finally {
      await live.close();
    }
  });
});
