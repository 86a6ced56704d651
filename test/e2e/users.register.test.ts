import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const countUsers = async () => {
  const rows = await app.db.database.db
    .selectFrom('users' as never)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(rows.n);
};

describe('POST /users/register', () => {
  it('creates an account and answers 201 with the seed envelope', async () => {
    const body = newUser({ role: 'seller' });
    const res = await app.api('POST', '/users/register', { body });
    expect(res.status).toBe(201);
    expect(res.body.meta).toMatchObject({ success: true, message: 'register successfully', sandbox: true });
    expect(res.body.results).toMatchObject({ role: 'seller', email: body.email, name: body.name });
    expect(res.body.results.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.results).not.toHaveProperty('password_hash');
  });

  it('stores the email normalised and refuses the same email in another case', async () => {
    const body = newUser({ email: '  Mixed.Case@Example.COM ' });
    const first = await app.api('POST', '/users/register', {
      body: { ...body, email: 'Mixed.Case@Example.COM' },
    });
    expect(first.status).toBe(201);
    expect(first.body.results.email).toBe('mixed.case@example.com');
    const again = await app.api('POST', '/users/register', {
      body: { ...body, email: 'MIXED.case@example.com' },
    });
    expect(again.status).toBe(409);
    expect(again.body.meta).toMatchObject({
      success: false,
      code: 'email_taken',
      message: 'email already exists',
    });
  });

  it.each([
    ['a missing field', (b: Record<string, unknown>) => delete b.name, 'name', 'required'],
    ['a mistyped field', (b: Record<string, unknown>) => (b.name = 42), 'name', 'invalid_type'],
    [
      'a malformed email',
      (b: Record<string, unknown>) => (b.email = 'not-an-email'),
      'email',
      'invalid_format',
    ],
    ['an unknown field', (b: Record<string, unknown>) => (b.is_admin = true), 'is_admin', 'unknown_field'],
    ['an unknown role', (b: Record<string, unknown>) => (b.role = 'owner'), 'role', 'invalid_value'],
    [
      'a short password',
      (b: Record<string, unknown>) => {
        b.password = 'short';
        b.confirm_password = 'short';
      },
      'password',
      'out_of_range',
    ],
    [
      'a mismatched confirm_password',
      (b: Record<string, unknown>) => (b.confirm_password = 'something else'),
      'confirm_password',
      'mismatch',
    ],
  ])('refuses %s with 400 naming the field and writes nothing', async (_label, mutate, field, code) => {
    const before = await countUsers();
    const body: Record<string, unknown> = newUser();
    mutate(body);
    const res = await app.api('POST', '/users/register', { body });
    expect(res.status).toBe(400);
    expect(res.body.meta).toMatchObject({ success: false, code: 'validation_failed' });
    expect(res.body.meta.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
    expect(await countUsers()).toBe(before);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await app.api('POST', '/users/register', {
      raw: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.code).toBe('invalid_json');
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await app.api('POST', '/users/register', {
      body: { ...newUser(), name: 'x'.repeat(2_000_000) },
    });
    expect(res.status).toBe(413);
    expect(res.body.meta.code).toBe('body_too_large');
  });

  it('lets nobody but an admin create an admin', async () => {
    const anonymous = await app.api('POST', '/users/register', { body: newUser({ role: 'admin' }) });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.meta.code).toBe('role_not_allowed');

    const buyer = await signUp(app);
    const byBuyer = await app.api('POST', '/users/register', {
      body: newUser({ role: 'admin' }),
      token: buyer.token,
    });
    expect(byBuyer.status).toBe(403);

    const admin = await app.platform.users.users.createAdmin({
      name: 'Root',
      email: `root${Date.now()}@example.com`,
      password: 'admin password 1',
    });
    const login = await app.api<{ token: string }>('POST', '/users/login', {
      body: { email: admin.email, password: 'admin password 1' },
    });
    const byAdmin = await app.api('POST', '/users/register', {
      body: newUser({ role: 'admin' }),
      token: login.body.results.token,
    });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.results.role).toBe('admin');
  });

  it('gives exactly one 201 and 49 conflicts for 50 parallel registrations of one email', async () => {
    const body = newUser();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.api('POST', '/users/register', {
          body: { ...body, email: i % 2 ? body.email.toUpperCase() : body.email },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.meta.code).toBe('email_taken');
  });
});
