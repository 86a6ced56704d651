import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** Tax rates: the seeded PPN, admin CRUD, validation and who may touch them. */

interface TaxRateJson {
  id: string;
  country: string;
  region: string | null;
  tax_class: string;
  rate_bps: number;
  inclusive: boolean;
  currency: string | null;
}

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;
beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_PER_USER: '100000' });
  admin = await adminOf(app);
});
afterAll(() => app?.close());

const path = '/admin/tax-rates';
const rates = async () => (await app.api<TaxRateJson[]>('GET', path, { token: admin.token })).body.results;
const create = (body: Record<string, unknown>, token = admin.token) =>
  app.api<TaxRateJson>('POST', path, { token, body });

describe('tax rates', () => {
  it('has Indonesia’s 11% PPN, included in rupiah prices, on a fresh database', async () => {
    expect(await rates()).toContainEqual(
      expect.objectContaining({
        country: 'ID',
        region: null,
        tax_class: 'standard',
        rate_bps: 1100,
        inclusive: true,
        currency: 'IDR',
      }),
    );
  });

  it('adds, changes and deletes rates, one per country, region, class and currency', async () => {
    const made = await create({ country: 'my', region: 'Sabah', rate_bps: 600, inclusive: false });
    expect(made.status).toBe(201);
    expect(made.body.results).toMatchObject({
      country: 'MY',
      region: 'Sabah',
      tax_class: 'standard',
      rate_bps: 600,
      inclusive: false,
      currency: null,
    });
    const twin = await create({ country: 'MY', region: 'SABAH', rate_bps: 800, inclusive: false });
    expect(twin.status).toBe(409);
    expect(twin.body.meta.code).toBe('tax_rate_exists');
    const food = await create({
      country: 'MY',
      region: 'Sabah',
      tax_class: 'food',
      rate_bps: 0,
      inclusive: false,
    });
    expect(food.status).toBe(201);

    const id = made.body.results.id;
    const changed = await app.api<TaxRateJson>('PATCH', `${path}/${id}`, {
      token: admin.token,
      body: { rate_bps: 800, region: null, currency: 'myr' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.results).toMatchObject({ rate_bps: 800, region: null, currency: 'MYR' });
    const clash = await app.api('PATCH', `${path}/${food.body.results.id}`, {
      token: admin.token,
      body: { tax_class: 'standard', region: null, currency: 'MYR' },
    });
    expect(clash.status).toBe(409);

    expect((await app.api('DELETE', `${path}/${id}`, { token: admin.token })).status).toBe(204);
    expect((await app.api('DELETE', `${path}/${id}`, { token: admin.token })).status).toBe(404);
    expect((await rates()).map((r) => r.id)).not.toContain(id);
  });

  it('answers 400 for a rate that names no country, exceeds 100% or has an unknown currency', async () => {
    const fields = async (body: Record<string, unknown>) => {
      const res = await create({ country: 'SG', rate_bps: 900, inclusive: true, ...body });
      expect(res.status).toBe(400);
      return res.body.meta.errors as { field: string; code: string }[];
    };
    expect((await fields({ country: 'XX' })).map((e) => e.field)).toEqual(['country']);
    expect((await fields({ currency: 'ABC' })).map((e) => e.code)).toEqual(['unsupported_currency']);
    expect((await fields({ tax_class: '   ' })).map((e) => e.field)).toEqual(['tax_class']);
    expect((await create({ country: 'SG', rate_bps: 10_001, inclusive: true })).status).toBe(400);
    expect((await create({ country: 'SG', rate_bps: 1.5, inclusive: true })).status).toBe(400);
    expect((await create({ country: 'SG', rate_bps: 900 })).status).toBe(400);
    expect(
      (await create({ country: 'SG', rate_bps: 900, inclusive: true, tax_class: 'x'.repeat(33) })).status,
    ).toBe(400);
    expect((await rates()).filter((r) => r.country === 'SG')).toEqual([]);
  });

  it('is for admins only', async () => {
    const buyer = await signUp(app);
    const seller = await signUp(app, { role: 'seller' });
    for (const token of [buyer.token, seller.token]) {
      expect((await app.api('GET', path, { token })).status).toBe(403);
      expect((await create({ country: 'JP', rate_bps: 1000, inclusive: true }, token)).status).toBe(403);
    }
    expect((await app.api('GET', path)).status).toBe(401);
    const id = (await rates())[0]!.id;
    expect((await app.api('DELETE', `${path}/${id}`, { token: seller.token })).status).toBe(403);
  });
});
