import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainBackgroundWork, sustainedPerSec } from '../../bench/background-work.js';
import { freePort } from '../helpers/crashable-server.js';
import { market } from '../helpers/payments.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe("the bench's wait for the work requests leave behind", () => {
  let app: TestApp;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    // The sender's first round is a minute away: every mail written here stays pending.
    app = await startTestApp({
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      MAIL_SEND_INTERVAL: '60s',
    });
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  afterAll(() => app.close());

  it('returns at once when nothing is pending, and waits for mails not sent yet', async () => {
    expect(await drainBackgroundWork(metricsUrl, 5)).toBeLessThan(5);

    const { buyer, product } = await market(app);
    const order = await app.api('POST', '/orders', {
      token: buyer.token,
      body: { items: [{ product_id: product.id, quantity: 1 }], payment_method: 'wallet' },
    });
    expect(order.status).toBe(201);
    await expect(drainBackgroundWork(metricsUrl, 1)).rejects.toThrow(
      /did not drain in 1 s \([1-9]\d* mails pending/,
    );
  });

  it('spreads a peak over the phase and its drain', () => {
    expect(sustainedPerSec(300, 30, 7.5)).toBe(240);
    expect(sustainedPerSec(300, 30, 0)).toBe(300);
  });
});
