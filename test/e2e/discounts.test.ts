import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** Discounts through HTTP: CRUD, who may touch which, validation and code clashes. */

interface DiscountJson {
  id: string;
  code: string | null;
  seller_id: string | null;
  funded_by: 'platform' | 'seller';
  kind: string;
  percent_bps: number | null;
  amount: string | null;
  currency: string | null;
  minimum_subtotal: string | null;
  starts_at: string | null;
  ends_at: string | null;
  max_uses: number | null;
  max_uses_per_customer: number | null;
  uses: number;
  active: boolean;
}

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_PER_USER: '100000', RATE_LIMIT_REGISTER_PER_IP: '100000' });
  admin = await adminOf(app);
});
afterAll(() => app?.close());

const uniqueCode = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const create = (token: string, body: Record<string, unknown>) =>
  app.api<DiscountJson>('POST', '/discounts', { token, body });
const list = (token: string, query = '') => app.api<DiscountJson[]>('GET', `/discounts${query}`, { token });

describe('discounts', () => {
  it('lets a seller create, read, list, change and delete their own', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const code = uniqueCode('hemat');
    const made = await create(seller.token, {
      code: ` ${code.toLowerCase()} `,
      kind: 'fixed',
      amount: '15000',
      currency: 'idr',
      minimum_subtotal: '100000',
      ends_at: '2030-01-01T00:00:00Z',
      max_uses: 10,
      max_uses_per_customer: 1,
    });
    expect(made.status).toBe(201);
    expect(made.body.results).toMatchObject({
      code: code.toUpperCase(),
      seller_id: seller.id,
      funded_by: 'seller',
      kind: 'fixed',
      percent_bps: null,
      amount: '15000',
      currency: 'IDR',
      minimum_subtotal: '100000',
      starts_at: null,
      ends_at: '2030-01-01T00:00:00.000Z',
      max_uses: 10,
      max_uses_per_customer: 1,
      uses: 0,
      active: true,
    });
    const id = made.body.results.id;
    const automatic = await create(seller.token, { kind: 'free_shipping' });
    expect(automatic.body.results).toMatchObject({ code: null, currency: null, amount: null });

    const one = await app.api<DiscountJson>('GET', `/discounts/${id}`, { token: seller.token });
    expect(one.status).toBe(200);
    expect(one.body.results.id).toBe(id);
    const listed = await list(seller.token);
    expect(listed.body.results.map((d) => d.id)).toEqual([automatic.body.results.id, id]);

    const changed = await app.api<DiscountJson>('PATCH', `/discounts/${id}`, {
      token: seller.token,
      body: { amount: '20000', minimum_subtotal: null, ends_at: null, max_uses: 50 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.results).toMatchObject({
      amount: '20000',
      minimum_subtotal: null,
      ends_at: null,
      max_uses: 50,
      code: code.toUpperCase(),
    });

    const deleted = await app.api('DELETE', `/discounts/${id}`, { token: seller.token });
    expect(deleted.status).toBe(204);
    const after = await app.api<DiscountJson>('GET', `/discounts/${id}`, { token: seller.token });
    expect(after.body.results.active).toBe(false);
    // Its code is free again once it is deleted.
    expect((await create(seller.token, { code, kind: 'percentage', percent_bps: 500 })).status).toBe(201);
  });

  it('lets an admin create platform discounts and see and change every discount', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const sellers = await create(seller.token, {
      code: uniqueCode('s'),
      kind: 'percentage',
      percent_bps: 1000,
    });
    const platform = await create(admin.token, { code: uniqueCode('p'), kind: 'free_shipping' });
    expect(platform.status).toBe(201);
    expect(platform.body.results).toMatchObject({ seller_id: null, funded_by: 'platform' });

    const ids = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const res = await list(admin.token, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      for (const d of res.body.results) ids.add(d.id);
      const pagination = res.body.meta.pagination as { next_cursor: string | null; has_more: boolean };
      if (!pagination.has_more) break;
      cursor = pagination.next_cursor!;
    }
    expect(ids).toContain(sellers.body.results.id);
    expect(ids).toContain(platform.body.results.id);
    const sellersView = await list(seller.token);
    expect(sellersView.body.results.map((d) => d.id)).toEqual([sellers.body.results.id]);

    const byAdmin = await app.api<DiscountJson>('PATCH', `/discounts/${sellers.body.results.id}`, {
      token: admin.token,
      body: { active: false },
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.results).toMatchObject({ active: false, seller_id: seller.id });
    expect(
      (await app.api('DELETE', `/discounts/${platform.body.results.id}`, { token: admin.token })).status,
    ).toBe(204);
  });

  it('refuses buyers, and keeps a seller away from another seller’s and the platform’s discounts', async () => {
    const buyer = await signUp(app);
    const seller = await signUp(app, { role: 'seller' });
    const other = await signUp(app, { role: 'seller' });
    const theirs = await create(other.token, { code: uniqueCode('o'), kind: 'percentage', percent_bps: 100 });
    const platform = await create(admin.token, { kind: 'percentage', percent_bps: 100 });

    expect((await list(buyer.token)).status).toBe(403);
    expect((await create(buyer.token, { kind: 'free_shipping' })).status).toBe(403);
    expect(
      (await app.api('GET', `/discounts/${theirs.body.results.id}`, { token: buyer.token })).status,
    ).toBe(403);
    expect((await app.api('GET', '/discounts')).status).toBe(401);

    for (const target of [theirs.body.results.id, platform.body.results.id]) {
      expect((await app.api('GET', `/discounts/${target}`, { token: seller.token })).status).toBe(404);
      const patch = await app.api('PATCH', `/discounts/${target}`, {
        token: seller.token,
        body: { percent_bps: 10_000 },
      });
      expect(patch.status).toBe(404);
      expect(patch.body.meta.code).toBe('discount_not_found');
      expect((await app.api('DELETE', `/discounts/${target}`, { token: seller.token })).status).toBe(404);
    }
    const untouched = await app.api<DiscountJson>('GET', `/discounts/${theirs.body.results.id}`, {
      token: other.token,
    });
    expect(untouched.body.results).toMatchObject({ percent_bps: 100, active: true });
    expect((await list(seller.token)).body.results).toEqual([]);
  });

  it('answers 400 naming the bad fields', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const fieldsOf = (res: Awaited<ReturnType<typeof create>>) =>
      (res.body.meta.errors as { field: string; code: string }[]).map((e) => `${e.field}:${e.code}`);

    const several = await create(seller.token, {
      code: 'x!',
      kind: 'fixed',
      amount: '1.5',
      currency: 'IDR',
      starts_at: '2030-02-01T00:00:00Z',
      ends_at: '2030-01-01T00:00:00Z',
    });
    expect(several.status).toBe(400);
    expect(several.body.meta.code).toBe('validation_failed');
    expect(fieldsOf(several)).toEqual(['code:invalid', 'amount:too_many_decimals', 'ends_at:before_start']);

    const noAmount = await create(seller.token, { kind: 'fixed', currency: 'IDR' });
    expect(fieldsOf(noAmount)).toEqual(['amount:required']);
    const noCurrency = await create(seller.token, {
      kind: 'percentage',
      percent_bps: 10,
      minimum_subtotal: '10',
    });
    expect(fieldsOf(noCurrency)).toEqual(['currency:required']);
    const wrongKind = await create(seller.token, { kind: 'free_shipping', percent_bps: 10 });
    expect(fieldsOf(wrongKind)).toEqual(['percent_bps:not_allowed']);

    // The schema's own checks: unknown kind, out-of-range bps, unknown fields.
    for (const body of [
      { kind: 'bogo' },
      { kind: 'percentage', percent_bps: 10_001 },
      { kind: 'percentage', percent_bps: 10, seller_id: randomUUID() },
      { kind: 'percentage', percent_bps: 10, ends_at: 'next week' },
    ]) {
      const res = await create(seller.token, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }

    const made = await create(seller.token, { kind: 'fixed', amount: '1000', currency: 'IDR' });
    const patch = (body: Record<string, unknown>) =>
      app.api('PATCH', `/discounts/${made.body.results.id}`, { token: seller.token, body });
    // Kind and currency stay as created: the schema has no place for them.
    expect((await patch({ kind: 'percentage' })).status).toBe(400);
    expect((await patch({ currency: 'USD' })).status).toBe(400);
    expect((await patch({})).status).toBe(400);
    const badPercent = await patch({ percent_bps: 50 });
    expect(badPercent.status).toBe(400);
    expect(badPercent.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'percent_bps', code: 'not_allowed' }),
    ]);
  });

  it('answers 409 discount_code_taken for a live code, whatever its case', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const other = await signUp(app, { role: 'seller' });
    const code = uniqueCode('clash');
    expect((await create(seller.token, { code, kind: 'free_shipping' })).status).toBe(201);
    const clash = await create(other.token, { code: code.toLowerCase(), kind: 'free_shipping' });
    expect(clash.status).toBe(409);
    expect(clash.body.meta.code).toBe('discount_code_taken');
    const byAdmin = await create(admin.token, { code, kind: 'percentage', percent_bps: 1 });
    expect(byAdmin.body.meta.code).toBe('discount_code_taken');

    const second = await create(other.token, { code: uniqueCode('clash'), kind: 'free_shipping' });
    const renamed = await app.api('PATCH', `/discounts/${second.body.results.id}`, {
      token: other.token,
      body: { code },
    });
    expect(renamed.status).toBe(409);
    expect(renamed.body.meta.code).toBe('discount_code_taken');
  });
});
