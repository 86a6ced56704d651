import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** The buyer's address book: CRUD, validation, ownership, limits and encryption at rest. */

interface AddressJson {
  id: string;
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  phone: string | null;
  is_default: boolean;
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_PER_USER: '100000', RATE_LIMIT_REGISTER_PER_IP: '100000' });
});
afterAll(() => app?.close());

const home = {
  name: 'Siti Rahma',
  line1: 'Jl. Merdeka No. 17',
  city: 'Bandung',
  region: 'Jawa Barat',
  postal_code: '40111',
  country: 'id',
  phone: '+62 812-3456-7890',
};

const add = (token: string, body: Record<string, unknown> = home) =>
  app.api<AddressJson>('POST', '/users/me/addresses', { token, body });
const list = async (token: string) =>
  (await app.api<AddressJson[]>('GET', '/users/me/addresses', { token })).body.results;
const db = () => app.platform.database.db as Kysely<object>;

describe('the address book', () => {
  it('adds, lists, changes and deletes addresses, the first one the default', async () => {
    const buyer = await signUp(app);
    const first = await add(buyer.token);
    expect(first.status).toBe(201);
    expect(first.body.results).toMatchObject({ ...home, country: 'ID', line2: null, is_default: true });

    const office = await add(buyer.token, { ...home, line1: 'Jl. Asia Afrika 8', is_default: true });
    expect(office.body.results.is_default).toBe(true);
    expect((await list(buyer.token)).map((a) => [a.id, a.is_default])).toEqual([
      [first.body.results.id, false],
      [office.body.results.id, true],
    ]);

    const changed = await app.api<AddressJson>('PATCH', `/users/me/addresses/${first.body.results.id}`, {
      token: buyer.token,
      body: { city: ' Cimahi ', line2: 'Blok C', phone: null, is_default: true },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.results).toMatchObject({
      city: 'Cimahi',
      line2: 'Blok C',
      phone: null,
      is_default: true,
    });
    expect((await list(buyer.token)).filter((a) => a.is_default).map((a) => a.id)).toEqual([
      first.body.results.id,
    ]);

    const gone = await app.api('DELETE', `/users/me/addresses/${office.body.results.id}`, {
      token: buyer.token,
    });
    expect(gone.status).toBe(204);
    expect((await list(buyer.token)).map((a) => a.id)).toEqual([first.body.results.id]);
  });

  it('answers 400 naming each field that is wrong', async () => {
    const buyer = await signUp(app);
    const bad = await add(buyer.token, { ...home, country: 'XX', name: '   ', phone: 'call me' });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.code).toBe('validation_failed');
    expect((bad.body.meta.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'country',
      'name',
      'phone',
    ]);
    const { city: _city, ...noCity } = home;
    expect((await add(buyer.token, noCity)).status).toBe(400);
    expect((await add(buyer.token, { ...home, colour: 'red' })).status).toBe(400);
    expect((await add(buyer.token, { ...home, line1: 'x'.repeat(201) })).status).toBe(400);
    const made = await add(buyer.token);
    const empty = await app.api('PATCH', `/users/me/addresses/${made.body.results.id}`, {
      token: buyer.token,
      body: {},
    });
    expect(empty.status).toBe(400);
    expect(await list(buyer.token)).toHaveLength(1);
  });

  it('shows nobody else an address: another buyer gets 404, sellers 403, strangers 401', async () => {
    const owner = await signUp(app);
    const other = await signUp(app);
    const seller = await signUp(app, { role: 'seller' });
    const id = (await add(owner.token)).body.results.id;
    const path = `/users/me/addresses/${id}`;
    expect((await app.api('PATCH', path, { token: other.token, body: { city: 'X' } })).status).toBe(404);
    expect((await app.api('DELETE', path, { token: other.token })).status).toBe(404);
    expect(await list(other.token)).toEqual([]);
    expect((await app.api('GET', '/users/me/addresses', { token: seller.token })).status).toBe(403);
    expect((await app.api('GET', '/users/me/addresses')).status).toBe(401);
    expect((await list(owner.token))[0]!.city).toBe('Bandung');
  });

  it('stores every personal field as a ciphertext bound to its row', async () => {
    const buyer = await signUp(app);
    const id = (await add(buyer.token, { ...home, line2: 'Lantai 3' })).body.results.id;
    const { rows } = await sql<Record<string, string>>`SELECT * FROM addresses WHERE id = ${id}`.execute(
      db(),
    );
    const raw = rows[0]!;
    for (const field of ['name', 'line1', 'line2', 'city', 'region', 'postal_code', 'phone']) {
      expect(raw[field]).toMatch(/^v1:/);
      expect(JSON.stringify(rows)).not.toContain((home as Record<string, string>)[field] ?? 'Lantai 3');
    }
    expect(raw.country).toBe('ID');
    // A ciphertext copied onto another row does not open there: reading that row fails.
    const other = (await add(buyer.token)).body.results.id;
    await sql`UPDATE addresses SET city = ${raw.city} WHERE id = ${other}`.execute(db());
    expect((await app.api('GET', '/users/me/addresses', { token: buyer.token })).status).toBe(500);
    await sql`DELETE FROM addresses WHERE id = ${other}`.execute(db());
  });

  it('keeps at most 20 addresses and one default, however many requests race', async () => {
    const buyer = await signUp(app);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => add(buyer.token, { ...home, is_default: true })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    expect(results.find((r) => r.status === 409)!.body.meta.code).toBe('address_limit_reached');
    const book = await list(buyer.token);
    expect(book).toHaveLength(20);
    expect(book.filter((a) => a.is_default)).toHaveLength(1);
  });
});

describe('privacy', () => {
  it('puts the addresses in the export and erases them with the account', async () => {
    const buyer = await signUp(app);
    const id = (await add(buyer.token)).body.results.id;
    const exported = await app.api('GET', '/users/me/export', { token: buyer.token });
    expect((exported.body as unknown as { addresses: AddressJson[] }).addresses).toMatchObject([
      { id, line1: home.line1, country: 'ID' },
    ]);
    const erased = await app.api('DELETE', '/users/me', {
      token: buyer.token,
      body: { password: buyer.password },
    });
    expect(erased.status).toBe(200);
    const { rows } = await sql`SELECT id FROM addresses WHERE user_id = ${buyer.id}`.execute(db());
    expect(rows).toEqual([]);
  });
});
