import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp();
  const created = await app.platform.users.users.createAdmin({
    name: 'Root',
    email: 'root@example.com',
    password: 'admin password 1',
  });
  const login = await app.api<{ token: string }>('POST', '/users/login', {
    body: { email: created.email, password: 'admin password 1' },
  });
  admin = { token: login.body.results.token };
});
afterAll(() => app.close());

describe('GET /users/:id', () => {
  it('shows a user their own profile with the seed field names', async () => {
    const u = await signUp(app);
    const res = await app.api('GET', `/users/${u.id}`, { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body.results).toMatchObject({ id: u.id, name: u.name, email: u.email, role: 'buyer' });
    expect(Object.keys(res.body.results).sort()).toEqual([
      'created_at',
      'email',
      'email_verified',
      'id',
      'name',
      'phone',
      'role',
      'shipping_address',
      'status',
      'updated_at',
    ]);
  });

  it('answers 404 for another user, exactly as for a user that does not exist', async () => {
    const a = await signUp(app);
    const b = await signUp(app, { role: 'seller' });
    const other = await app.api('GET', `/users/${b.id}`, { token: a.token });
    const missing = await app.api('GET', `/users/${randomUUID()}`, { token: a.token });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.body.meta.code).toBe('user_not_found');
    expect(other.body.meta.message).toBe(missing.body.meta.message);
  });

  it('lets an admin read anyone', async () => {
    const u = await signUp(app);
    const res = await app.api('GET', `/users/${u.id}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.results.email).toBe(u.email);
  });

  it('refuses an id that is not a UUID with 400, and anonymous callers with 401', async () => {
    const u = await signUp(app);
    const bad = await app.api('GET', '/users/42', { token: u.token });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.errors).toEqual([expect.objectContaining({ field: 'id', code: 'invalid_format' })]);
    expect((await app.api('GET', `/users/${u.id}`)).status).toBe(401);
  });
});

describe('/users/me', () => {
  it('GET returns the caller', async () => {
    const u = await signUp(app, { role: 'seller' });
    const res = await app.api('GET', '/users/me', { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body.results).toMatchObject({ id: u.id, role: 'seller' });
  });

  it('PATCH changes the name and nothing else', async () => {
    const u = await signUp(app);
    const res = await app.api('PATCH', '/users/me', { token: u.token, body: { name: 'New Name' } });
    expect(res.status).toBe(200);
    expect(res.body.results).toMatchObject({ name: 'New Name', email: u.email, role: 'buyer' });
  });

  it('PATCH refuses an empty body, unknown fields and a role change', async () => {
    const u = await signUp(app);
    expect((await app.api('PATCH', '/users/me', { token: u.token, body: {} })).status).toBe(400);
    const role = await app.api('PATCH', '/users/me', { token: u.token, body: { role: 'admin' } });
    expect(role.status).toBe(400);
    expect(role.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'role', code: 'unknown_field' }),
    ]);
  });

  it('PATCH needs the current password to change the email, and refuses a taken one', async () => {
    const u = await signUp(app);
    const other = await signUp(app);
    const without = await app.api('PATCH', '/users/me', {
      token: u.token,
      body: { email: 'fresh@example.com' },
    });
    expect(without.status).toBe(400);
    const wrong = await app.api('PATCH', '/users/me', {
      token: u.token,
      body: { email: 'fresh@example.com', current_password: 'nope nope' },
    });
    expect(wrong.status).toBe(401);
    const taken = await app.api('PATCH', '/users/me', {
      token: u.token,
      body: { email: other.email.toUpperCase(), current_password: u.password },
    });
    expect(taken.status).toBe(409);
    const ok = await app.api('PATCH', '/users/me', {
      token: u.token,
      body: { email: 'Fresh@Example.com', current_password: u.password },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.results.email).toBe('fresh@example.com');
  });

  it('PATCH changes the password, ends the other sessions and keeps the old password out', async () => {
    const u = await signUp(app);
    const other = await app.api<{ refresh_token: string }>('POST', '/users/login', {
      body: { email: u.email, password: u.password },
    });
    const res = await app.api('PATCH', '/users/me', {
      token: u.token,
      body: {
        password: 'a brand new secret',
        confirm_password: 'a brand new secret',
        current_password: u.password,
      },
    });
    expect(res.status).toBe(200);
    const refresh = (token: string) => app.api('POST', '/auth/refresh', { body: { refresh_token: token } });
    expect((await refresh(other.body.results.refresh_token)).status).toBe(401);
    // The session that made the change goes on.
    expect((await refresh(u.refresh)).status).toBe(200);
    expect(
      (await app.api('POST', '/users/login', { body: { email: u.email, password: u.password } })).status,
    ).toBe(401);
    expect(
      (await app.api('POST', '/users/login', { body: { email: u.email, password: 'a brand new secret' } }))
        .status,
    ).toBe(200);
  });

  it('PATCH refuses a mismatched confirmation', async () => {
    const u = await signUp(app);
    const res = await app.api('PATCH', '/users/me', {
      token: u.token,
      body: {
        password: 'a brand new secret',
        confirm_password: 'another secret!!',
        current_password: u.password,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'confirm_password', code: 'mismatch' }),
    ]);
  });
});
