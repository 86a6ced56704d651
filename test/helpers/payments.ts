import type { PublicPayment, PublicRefund } from '../../src/modules/payments/payments.rules.js';
import { createProduct } from './catalog.js';
import { signUp, type TestApp } from './test-app.js';

/** A payment as the API answers it. */
export type PaymentJson = PublicPayment;
export type RefundJson = PublicRefund;

export async function adminOf(app: TestApp) {
  const email = `admin.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
  await app.platform.users.users.createAdmin({ name: 'Root', email, password: 'admin password 1' });
  const login = await app.api<{ token: string; id: string }>('POST', '/users/login', {
    body: { email, password: 'admin password 1' },
  });
  return { token: login.body.results.token, id: login.body.results.id, email, password: 'admin password 1' };
}

export async function topUp(app: TestApp, token: string, amount: string, currency = 'IDR') {
  const res = await app.api('POST', '/wallet/top-ups', { token, body: { amount, currency, method: 'test' } });
  if (res.status !== 201) throw new Error(`top-up failed: ${JSON.stringify(res.body)}`);
}

export async function walletOf(app: TestApp, token: string, currency = 'IDR') {
  const res = await app.api<{ currency: string; available: string; held: string }[]>('GET', '/wallet', {
    token,
  });
  return res.body.results.find((w) => w.currency === currency) ?? { currency, available: '0', held: '0' };
}

/** A seller with one product and a buyer with money: the cast of most payment tests. */
export async function market(app: TestApp, options: { stock?: number; price?: string; funds?: string } = {}) {
  const seller = await signUp(app, { role: 'seller' });
  const buyer = await signUp(app);
  const product = await createProduct(app, seller.token, {
    price: options.price ?? '10000',
    stock: options.stock ?? 10,
  });
  if (options.funds !== '0') await topUp(app, buyer.token, options.funds ?? '1000000');
  return { seller, buyer, product };
}

export async function reconcile(app: TestApp, adminToken: string) {
  const res = await app.api<{ ok: boolean; violations: string[] }>('GET', '/admin/ledger/check', {
    token: adminToken,
  });
  return res.body.results;
}
