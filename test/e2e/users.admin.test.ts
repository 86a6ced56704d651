import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, grpcClients } from '../helpers/grpc.js';
import { adminOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** Admins find, disable and enable accounts (in the split project too: logins then go over gRPC). */

interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
}

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;
const tag = `adm${Date.now().toString(36)}`;

beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_LOGIN_PER_IP: '100000', RATE_LIMIT_REGISTER_PER_IP: '100000' });
  admin = await adminOf(app);
});
afterAll(() => app?.close());

const users = (path: string, token = admin.token) =>
  app.api<AdminUser[]>('GET', `/admin/users${path}`, { token });
const act = (id: string, action: 'disable' | 'enable', token = admin.token) =>
  app.api<AdminUser>('POST', `/admin/users/${id}/${action}`, { token });
const login = (person: { email: string; password: string }) =>
  app.api<{ token: string; refresh_token: string }>('POST', '/users/login', {
    body: { email: person.email, password: person.password },
  });

describe('GET /admin/users', () => {
  it('finds an account by its whole email (any case) or its id, and filters by role and status', async () => {
    const seller = await signUp(app, {
      role: 'seller',
      email: `${tag}.seller@example.com`,
      name: 'Siti Rahma',
    });
    const buyer = await signUp(app, { email: `${tag}.buyer@example.com`, name: 'Budi' });
    const byEmail = (await users(`?q=${encodeURIComponent(` ${buyer.email.toUpperCase()} `)}`)).body.results;
    expect(byEmail.map((u) => u.id)).toEqual([buyer.id]);
    expect(byEmail[0]).toMatchObject({
      id: buyer.id,
      email: buyer.email,
      name: 'Budi',
      role: 'buyer',
      status: 'active',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      disabled_at: null,
    });
    expect((await users(`?q=${seller.id.toUpperCase()}`)).body.results.map((u) => u.id)).toEqual([seller.id]);
    const sellerEmail = encodeURIComponent(seller.email);
    expect((await users(`?q=${sellerEmail}&role=seller`)).body.results.map((u) => u.id)).toEqual([seller.id]);
    expect((await users(`?q=${sellerEmail}&role=buyer`)).body.results).toEqual([]);
    expect((await users(`?q=${sellerEmail}&status=disabled`)).body.results).toEqual([]);
    // Names and parts of addresses are encrypted at rest: they match nothing.
    expect((await users('?q=siti%20rah')).body.results).toEqual([]);
    expect((await users(`?q=${tag}`)).body.results).toEqual([]);
    expect((await users('?q=%25')).body.results).toEqual([]);
  });

  it('pages newest first with a cursor that neither skips nor repeats', async () => {
    for (let i = 0; i < 5; i++) await signUp(app, { email: `${tag}.page${i}@example.com`, role: 'seller' });
    const all = (await users('?role=seller&limit=100')).body.results;
    const whole = all.filter((u) => u.email.startsWith(`${tag}.page`));
    expect(whole.map((u) => u.email)).toEqual([4, 3, 2, 1, 0].map((i) => `${tag}.page${i}@example.com`));
    const seen: AdminUser[] = [];
    let cursor: string | null = null;
    do {
      const page = await users(`?role=seller&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.results);
      cursor = (page.body.meta.pagination as { next_cursor: string | null }).next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('refuses bad input with 400 and everyone but admins', async () => {
    expect((await users('?role=owner')).status).toBe(400);
    expect((await users('?limit=1000')).status).toBe(400);
    expect((await users(`?q=${'x'.repeat(255)}`)).status).toBe(400);
    const badCursor = await users('?cursor=abc');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'cursor', code: 'invalid_cursor' }),
    ]);
    const buyer = await signUp(app);
    expect((await users('', buyer.token)).status).toBe(403);
    expect((await app.api('GET', '/admin/users')).status).toBe(401);
  });
});

describe('disabling an account', () => {
  it('ends its sessions at once, refuses its refresh and its login, and enabling lets it log in again', async () => {
    const person = await signUp(app);
    const second = (await login(person)).body.results;
    expect((await app.api('GET', '/users/me', { token: person.token })).status).toBe(200);

    const disabled = await act(person.id, 'disable');
    expect(disabled.status).toBe(200);
    expect(disabled.body.results).toMatchObject({
      id: person.id,
      status: 'disabled',
      disabled_at: expect.any(String),
    });

    for (const token of [person.token, second.token]) {
      const next = await app.api('GET', '/users/me', { token });
      expect([next.status, next.body.meta.code]).toEqual([401, 'invalid_token']);
    }
    for (const refreshToken of [person.refresh, second.refresh_token]) {
      const refreshed = await app.api('POST', '/auth/refresh', { body: { refresh_token: refreshToken } });
      expect(refreshed.status).toBe(401);
    }
    const refused = await login(person);
    expect([refused.status, refused.body.meta.code]).toEqual([403, 'account_disabled']);
    // Only the right password learns that the account is disabled.
    const guess = await login({ ...person, password: 'not the password' });
    expect([guess.status, guess.body.meta.code]).toEqual([401, 'invalid_credentials']);

    const again = await act(person.id, 'disable');
    expect(again.status).toBe(200);
    expect(again.body.results.disabled_at).toBe(disabled.body.results.disabled_at);
    expect((await users(`?q=${encodeURIComponent(person.email)}&status=disabled`)).body.results).toHaveLength(
      1,
    );

    const enabled = await act(person.id, 'enable');
    expect(enabled.body.results).toMatchObject({ status: 'active', disabled_at: null });
    expect((await act(person.id, 'enable')).status).toBe(200);
    const back = await login(person);
    expect(back.status).toBe(200);
    expect((await app.api('GET', '/users/me', { token: back.body.results.token })).status).toBe(200);
    // The sessions that were ended stay ended.
    expect((await app.api('GET', '/users/me', { token: person.token })).status).toBe(401);
  });

  // In the split project the gateway serves no gRPC, and its REST logins above already go
  // through the users service's LoginUser.
  it.skipIf(process.env.MAMLAKA_TEST_SPLIT === '1')(
    'refuses the gRPC login of a disabled account too',
    async () => {
      const person = await signUp(app);
      await act(person.id, 'disable');
      const clients = grpcClients(app.grpcAddress);
      try {
        const refused = await call(clients.users, 'LoginUser', {
          email: person.email,
          password: person.password,
        });
        expect([refused.error?.code, refused.reason]).toEqual([status.PERMISSION_DENIED, 'account_disabled']);
      } finally {
        clients.close();
      }
    },
  );

  it('is refused on oneself, on nobody, and to anyone but an admin', async () => {
    const self = await act(admin.id, 'disable');
    expect([self.status, self.body.meta.code]).toEqual([409, 'cannot_disable_self']);
    expect((await login(admin)).status).toBe(200);
    const nobody = await act('00000000-0000-4000-8000-000000000000', 'disable');
    expect([nobody.status, nobody.body.meta.code]).toEqual([404, 'user_not_found']);
    expect((await act('not-a-uuid', 'disable')).status).toBe(400);
    const seller = await signUp(app, { role: 'seller' });
    const buyer = await signUp(app);
    expect((await act(buyer.id, 'disable', seller.token)).status).toBe(403);
    expect((await act(buyer.id, 'enable', buyer.token)).status).toBe(403);
    expect((await app.api('GET', '/users/me', { token: buyer.token })).status).toBe(200);
  });
});
