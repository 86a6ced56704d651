import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** Sellers' shipping options: CRUD, validation, ownership and limits, and the public listing. */

interface OptionJson {
  id: string;
  seller_id: string;
  name: string;
  kind: string;
  currency: string;
  amount: string | null;
  free_above: string | null;
  regions: { country: string; region: string | null; amount: string }[];
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_PER_USER: '100000', RATE_LIMIT_REGISTER_PER_IP: '100000' });
});
afterAll(() => app?.close());

const mine = '/sellers/me/shipping-options';
const add = (token: string, body: Record<string, unknown>) =>
  app.api<OptionJson>('POST', mine, { token, body });
const flat = { name: 'JNE REG', kind: 'flat', currency: 'IDR', amount: '15000' };

describe('shipping options', () => {
  it('adds each kind, lists them publicly and to their seller, changes and deletes them', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const a = await add(seller.token, flat);
    expect(a.status).toBe(201);
    expect(a.body.results).toMatchObject({ ...flat, seller_id: seller.id, free_above: null, regions: [] });
    const b = await add(seller.token, {
      name: 'Gratis ongkir',
      kind: 'free_above',
      currency: 'usd',
      amount: '4.50',
      free_above: '100.00',
    });
    expect(b.body.results).toMatchObject({ currency: 'USD', amount: '4.50', free_above: '100.00' });
    const c = await add(seller.token, {
      name: 'By island',
      kind: 'per_region',
      currency: 'IDR',
      regions: [
        { country: 'ID', amount: '30000' },
        { country: 'id', region: 'Jawa Barat', amount: '9000' },
      ],
    });
    expect(c.status).toBe(201);
    expect(c.body.results.amount).toBeNull();
    expect(c.body.results.regions).toEqual([
      { country: 'ID', region: null, amount: '30000' },
      { country: 'ID', region: 'Jawa Barat', amount: '9000' },
    ]);

    const ids = [a, b, c].map((r) => r.body.results.id);
    const publicList = await app.api<OptionJson[]>('GET', `/sellers/${seller.id}/shipping-options`);
    expect(publicList.status).toBe(200);
    expect(publicList.body.results.map((o) => o.id)).toEqual(ids);
    const own = await app.api<OptionJson[]>('GET', mine, { token: seller.token });
    expect(own.body.results.map((o) => o.id)).toEqual(ids);

    const toFreeAbove = await app.api<OptionJson>('PATCH', `${mine}/${ids[0]}`, {
      token: seller.token,
      body: { kind: 'free_above', free_above: '250000' },
    });
    expect(toFreeAbove.status).toBe(200);
    expect(toFreeAbove.body.results).toMatchObject({
      kind: 'free_above',
      amount: '15000',
      free_above: '250000',
    });
    const backToFlat = await app.api<OptionJson>('PATCH', `${mine}/${ids[0]}`, {
      token: seller.token,
      body: { kind: 'flat' },
    });
    expect(backToFlat.body.results).toMatchObject({ kind: 'flat', free_above: null });

    expect((await app.api('DELETE', `${mine}/${ids[1]}`, { token: seller.token })).status).toBe(204);
    const after = await app.api<OptionJson[]>('GET', `/sellers/${seller.id}/shipping-options`);
    expect(after.body.results.map((o) => o.id)).toEqual([ids[0], ids[2]]);
  });

  it('answers 400 for an option that does not fit its kind or its currency', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const fields = async (body: Record<string, unknown>) => {
      const res = await add(seller.token, body);
      expect(res.status).toBe(400);
      return (res.body.meta.errors as { field: string; code: string }[]).map((e) => `${e.field}:${e.code}`);
    };
    expect(await fields({ ...flat, amount: undefined })).toEqual(['amount:required']);
    expect(await fields({ ...flat, amount: '1.5' })).toEqual(['amount:too_many_decimals']);
    expect(await fields({ ...flat, amount: '-1' })).toEqual(['amount:not_positive']);
    expect(await fields({ ...flat, currency: 'XYZ' })).toEqual(['currency:unsupported_currency']);
    expect(await fields({ ...flat, kind: 'free_above' })).toEqual(['free_above:required']);
    expect(await fields({ ...flat, kind: 'free_above', free_above: '0' })).toEqual([
      'free_above:not_positive',
    ]);
    expect(await fields({ ...flat, regions: [{ country: 'ID', amount: '1' }] })).toEqual([
      'regions:not_allowed',
    ]);
    expect(await fields({ ...flat, kind: 'per_region', regions: [{ country: 'XX', amount: '1' }] })).toEqual([
      'regions.0.country:invalid',
    ]);
    expect(
      await fields({
        ...flat,
        kind: 'per_region',
        regions: [
          { country: 'ID', region: 'Bali', amount: '1' },
          { country: 'ID', region: 'bali', amount: '2' },
        ],
      }),
    ).toEqual(['regions.1:duplicate']);
    expect((await add(seller.token, { ...flat, kind: 'express' })).status).toBe(400);
    const made = await add(seller.token, flat);
    const currency = await app.api('PATCH', `${mine}/${made.body.results.id}`, {
      token: seller.token,
      body: { currency: 'USD' },
    });
    expect(currency.status).toBe(400);
    const own = await app.api<OptionJson[]>('GET', mine, { token: seller.token });
    expect(own.body.results).toHaveLength(1);
  });

  it('lets only the seller touch their options: other sellers get 404, buyers 403, strangers 401', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const other = await signUp(app, { role: 'seller' });
    const buyer = await signUp(app);
    const id = (await add(seller.token, flat)).body.results.id;
    expect(
      (await app.api('PATCH', `${mine}/${id}`, { token: other.token, body: { name: 'Mine' } })).status,
    ).toBe(404);
    expect((await app.api('DELETE', `${mine}/${id}`, { token: other.token })).status).toBe(404);
    expect((await app.api<OptionJson[]>('GET', mine, { token: other.token })).body.results).toEqual([]);
    expect((await add(buyer.token, flat)).status).toBe(403);
    expect((await app.api('GET', mine)).status).toBe(401);
    const still = await app.api<OptionJson[]>('GET', `/sellers/${seller.id}/shipping-options`);
    expect(still.body.results.map((o) => o.name)).toEqual(['JNE REG']);
  });

  it('keeps at most 20 options per seller, however many requests race', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => add(seller.token, { ...flat, name: `O${i}` })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(20);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(10);
    expect(refused[0]!.body.meta.code).toBe('shipping_option_limit_reached');
    const own = await app.api<OptionJson[]>('GET', mine, { token: seller.token });
    expect(own.body.results).toHaveLength(20);
  });
});
