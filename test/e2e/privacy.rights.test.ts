import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { market, type PaymentJson } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let receiver: Server;
let hookUrl: string;
/** Every webhook the local receiver got, by the path it was sent to. */
const received: { path: string; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  app = await startTestApp({
    WEBHOOK_ALLOW_LIST: '127.0.0.1',
    WEBHOOK_DELIVERY_INTERVAL: '50ms',
    RATE_LIMIT_PER_USER: '100000',
  });
});
afterAll(async () => {
  await app?.close();
  receiver?.close();
});

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The parts of the export document these tests read. */
interface ExportDoc {
  schema_version: number;
  generated_at: string;
  user: { id: string; email: string; name: string };
  privacy: { consents: { do_not_sell: { granted: boolean } } };
  payments: { as_buyer: PaymentJson[]; as_seller: PaymentJson[] };
  orders: { as_buyer: unknown[] };
  refunds: unknown[];
  wallet: { transactions: unknown[] };
  sessions: unknown[];
  webhooks: { secret?: string }[];
  audit: { about_you: { action: string }[] };
  truncated: string[];
}

interface Settings {
  do_not_sell: boolean;
  consents: Record<string, { granted: boolean; recorded_at: string | null }>;
  history: { purpose: string; granted: boolean; source: string; ip: string | null }[];
}

describe('privacy choices', () => {
  it('start at the defaults and record every change with its time, source and address', async () => {
    const user = await signUp(app);
    const initial = await app.api<Settings>('GET', '/users/me/privacy', { token: user.token });
    expect(initial.body.results).toMatchObject({
      do_not_sell: false,
      consents: { marketing_email: { granted: true, recorded_at: null } },
      history: [],
    });
    const changed = await app.api<Settings>('PUT', '/users/me/privacy', {
      token: user.token,
      body: { do_not_sell: true, marketing_email: false },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.results.do_not_sell).toBe(true);
    expect(changed.body.results.consents.marketing_email!.granted).toBe(false);
    // The mail preferences say the same: one choice, two views of it.
    const prefs = await app.api<{ marketing: boolean }>('GET', '/users/me/preferences', {
      token: user.token,
    });
    expect(prefs.body.results.marketing).toBe(false);
    // The older marketing route records a consent too.
    await app.api('PUT', '/users/me/preferences', { token: user.token, body: { marketing: true } });
    const after = await app.api<Settings>('GET', '/users/me/privacy', { token: user.token });
    expect(
      after.body.results.history.map((record) => [record.purpose, record.granted, record.source]),
    ).toEqual([
      ['marketing_email', true, 'mail_preferences'],
      ['marketing_email', false, 'privacy_settings'],
      ['do_not_sell', true, 'privacy_settings'],
    ]);
    expect(after.body.results.history.every((record) => record.ip === '127.0.0.1')).toBe(true);
    expect((await app.api('PUT', '/users/me/privacy', { token: user.token, body: {} })).status).toBe(400);
  });
});

describe('do not sell or share', () => {
  it('keeps an opted-out buyer out of the seller’s webhooks, and nobody else’s data', async () => {
    const { seller, buyer, product } = await market(app, { funds: '1000000' });
    const sellerHook = await app.api('POST', '/webhooks', {
      token: seller.token,
      body: { url: `${hookUrl}/seller-${seller.id}`, event_types: ['payment.succeeded'] },
    });
    expect(sellerHook.status).toBe(201);
    const buyerHook = await app.api('POST', '/webhooks', {
      token: buyer.token,
      body: { url: `${hookUrl}/buyer-${buyer.id}`, event_types: ['payment.succeeded'] },
    });
    expect(buyerHook.status).toBe(201);
    const buy = async () => {
      const paid = await app.api<PaymentJson>('POST', '/payments', {
        token: buyer.token,
        body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
      });
      expect(paid.status).toBe(201);
      return paid.body.results.id;
    };
    const eventFor = (path: string, paymentId: string) =>
      until(() => {
        const hit = received.find((r) => r.path === path && r.body.includes(paymentId));
        return hit ? (JSON.parse(hit.body) as { data: Record<string, unknown> }) : undefined;
      });

    // Before opting out the seller hears who bought.
    const first = await buy();
    const shared = await eventFor(`/seller-${seller.id}`, first);
    expect(shared.data.user_id).toBe(buyer.id);

    await app.api('PUT', '/users/me/privacy', { token: buyer.token, body: { do_not_sell: true } });
    const second = await buy();
    const withheld = await eventFor(`/seller-${seller.id}`, second);
    expect(withheld.data).toMatchObject({ id: second, user_id: null, personal_data_withheld: true });
    expect(JSON.stringify(withheld)).not.toContain(buyer.id);
    // The seller's own id is not the buyer's to withhold.
    expect(JSON.stringify(withheld)).toContain(seller.id);
    // The buyer's own endpoint still gets everything about the buyer.
    const own = await eventFor(`/buyer-${buyer.id}`, second);
    expect(own.data.user_id).toBe(buyer.id);
    expect(own.data.personal_data_withheld).toBeUndefined();
  });
});

describe('the data export', () => {
  it('hands over everything held about the person as one JSON file, and records that it did', async () => {
    const { seller, buyer, product } = await market(app, { funds: '1000000' });
    const paid = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 2, payment_method: 'wallet' },
    });
    const refund = await app.api('POST', `/payments/${paid.body.results.id}/refunds`, {
      token: seller.token,
      body: { amount: '1', reason: 'export test' },
    });
    expect(refund.status).toBe(201);
    await app.api('POST', '/webhooks', {
      token: buyer.token,
      body: { url: `${hookUrl}/export`, event_types: ['payment.succeeded'] },
    });
    await app.api('PUT', '/users/me/privacy', { token: buyer.token, body: { do_not_sell: true } });

    const exported = await app.api<never>('GET', '/users/me/export', { token: buyer.token });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="mamlaka-export-/);
    const doc = exported.body as unknown as ExportDoc;
    expect(doc.schema_version).toBe(1);
    expect(Date.parse(doc.generated_at)).not.toBeNaN();
    expect(doc.user).toMatchObject({ id: buyer.id, email: buyer.email, name: buyer.name });
    expect(doc.privacy.consents.do_not_sell.granted).toBe(true);
    expect(doc.payments.as_buyer.map((p) => p.id)).toEqual([paid.body.results.id]);
    expect(doc.payments.as_seller).toEqual([]);
    expect(doc.orders.as_buyer).toHaveLength(1);
    expect(doc.refunds).toHaveLength(1);
    expect(doc.wallet.transactions.length).toBeGreaterThanOrEqual(2);
    expect(doc.sessions).toHaveLength(1);
    expect(doc.webhooks).toHaveLength(1);
    expect(doc.truncated).toEqual([]);
    // Never a secret: no token hash, no webhook signing secret, no password hash.
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/whsec_|\$argon2|token_hash|password/);
    expect(doc.webhooks[0]!.secret).toBeUndefined();

    // The seller's export holds the same payment from the other side.
    const sellers = await app.api<never>('GET', '/users/me/export', { token: seller.token });
    const sellerDoc = sellers.body as unknown as ExportDoc;
    expect(sellerDoc.payments.as_seller.map((p) => p.id)).toEqual([paid.body.results.id]);

    // The export is in the audit log, and so is the reading of the profile the export holds.
    const second = await app.api<never>('GET', '/users/me/export', { token: buyer.token });
    const doc2 = second.body as unknown as ExportDoc;
    expect(doc2.audit.about_you.map((entry) => entry.action)).toContain('user.export');
  });

  it('is for signed-in people only', async () => {
    expect((await app.api('GET', '/users/me/export')).status).toBe(401);
    const someone = await signUp(app);
    expect((await app.api('GET', '/users/me/export', { token: someone.token })).status).toBe(200);
  });
});
