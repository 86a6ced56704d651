import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct } from '../helpers/catalog.js';
import { adminOf, type PaymentJson, topUp } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';
import { malformedVariants, type Operation, type Variant } from './openapi.variants.js';

/**
 * Hostile input on every operation of the OpenAPI document (OWASP API8, API4): each
 * operation is called with malformed variants of its own parameters and body — wrong
 * types, missing and unknown fields, huge and control-character strings, broken JSON and
 * multipart — from a fixed seed and in a bounded number. However bad the input, the
 * answer is a client error, never a 5xx.
 */

const SEED = 20_261_201;
const VARIANTS_PER_OPERATION = 40;

let app: TestApp;
let tokens: { admin: string; buyer: string; seller: string };
let ids: Record<string, string>;

beforeAll(async () => {
  app = await startTestApp({
    RATE_LIMIT_PER_USER: '1000000',
    RATE_LIMIT_REGISTER_PER_IP: '1000000',
    RATE_LIMIT_LOGIN_PER_IP: '1000000',
    RATE_LIMIT_LOGIN_FAILURES: '1000000',
  });
  const seller = await signUp(app, { role: 'seller' });
  const buyer = await signUp(app);
  const admin = await adminOf(app);
  await topUp(app, buyer.token, '100000000');
  const product = await createProduct(app, seller.token, { price: '1000', stock: 100_000 });
  const payment = await app.api<PaymentJson>('POST', '/payments', {
    token: buyer.token,
    body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
  });
  tokens = { admin: admin.token, buyer: buyer.token, seller: seller.token };
  // Real ids, so a variant can reach past the lookup into the code behind it.
  ids = { product: product.id, payment: payment.body.results.id, user: buyer.id };
});
afterAll(async () => {
  await app?.close();
});

async function send(operation: Operation, variant: Variant, token: string) {
  const headers: Record<string, string> = { 'idempotency-key': randomUUID(), ...variant.headers };
  const res = await fetch(app.url + variant.path, {
    method: operation.method,
    headers: { authorization: `Bearer ${token}`, ...headers },
    body: variant.body,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('malformed input on every documented operation', () => {
  it('is answered below 500, whoever sends it', async () => {
    const doc = (await app.api<never>('GET', '/openapi.json')).body as unknown as Parameters<
      typeof malformedVariants
    >[0];
    const failures: string[] = [];
    let sent = 0;
    for (const { operation, variants } of malformedVariants(doc, {
      seed: SEED,
      perOperation: VARIANTS_PER_OPERATION,
      ids,
    })) {
      for (const [i, variant] of variants.entries()) {
        const token = [tokens.admin, tokens.buyer, tokens.seller][i % 3]!;
        const status = await send(operation, variant, token);
        sent += 1;
        if (status >= 500) failures.push(`${status} ${operation.method} ${variant.path} — ${variant.label}`);
      }
    }
    expect(sent).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  }, 240_000);
});
