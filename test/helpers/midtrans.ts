import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMidtransSandbox,
  type MidtransSandbox,
} from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import { startTestApp, type TestApp } from './test-app.js';

export const SANDBOX_SERVER_KEY = 'SB-Mid-server-test-key';

/**
 * The app and a local Midtrans sandbox wired to each other over real HTTP. Midtrans needs
 * its notification URL before the app exists, so a small relay forwards to the app.
 */
export async function startMidtransWorld(env: Record<string, string> = {}) {
  const target: { url?: string } = {};
  const relay = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const forwarded = await fetch(`${target.url}/payments/midtrans/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat(chunks),
    }).catch(() => undefined);
    response.writeHead(forwarded?.status ?? 502, { 'content-type': 'application/json' });
    response.end(forwarded ? await forwarded.text() : '{}');
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const sandbox: MidtransSandbox = createMidtransSandbox({
    serverKey: SANDBOX_SERVER_KEY,
    notificationUrl: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/`,
    retry: { attempts: 3, baseDelayMs: 50 },
  });
  const sandboxUrl = await sandbox.listen();
  const app: TestApp = await startTestApp({
    MIDTRANS_SERVER_KEY: SANDBOX_SERVER_KEY,
    MIDTRANS_SNAP_URL: sandboxUrl,
    MIDTRANS_API_URL: sandboxUrl,
    ...env,
  });
  target.url = app.url;
  return {
    app,
    sandbox,
    sandboxUrl,
    async close() {
      await app.close();
      await sandbox.close();
      relay.close();
    },
  };
}
