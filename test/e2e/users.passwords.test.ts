import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const countUsers = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM users`.execute(app.db.database.db)).rows[0]!.n);

const expectTooCommon = (res: Awaited<ReturnType<TestApp['api']>>, field = 'password') => {
  expect(res.status).toBe(400);
  expect(res.body.meta.code).toBe('password_too_common');
  expect(res.body.meta.message).toMatch(/passphrase/);
  expect(res.body.meta.errors).toEqual([expect.objectContaining({ field, code: 'password_too_common' })]);
};

describe('common passwords (NIST SP 800-63B)', () => {
  it.each(['password', '12345678', 'PassWord1', 'qwerty123', 'iloveyou'])(
    'are refused at registration: %s',
    async (password) => {
      const before = await countUsers();
      const res = await app.api('POST', '/users/register', { body: newUser({ password }) });
      expectTooCommon(res);
      expect(await countUsers()).toBe(before);
    },
  );

  it('are refused as a new password, and the old one keeps working', async () => {
    const u = await signUp(app);
    const res = await app.api('PATCH', '/users/me', {
      token: u.token,
      body: { password: 'Password123', confirm_password: 'Password123', current_password: u.password },
    });
    expectTooCommon(res);
    const login = await app.api('POST', '/users/login', { body: { email: u.email, password: u.password } });
    expect(login.status).toBe(200);
  });

  it('leave uncommon passphrases and the fixtures’ passwords alone', async () => {
    for (const password of ['correct horse battery', 'admin password 1', 'demo seller password']) {
      const res = await app.api('POST', '/users/register', { body: newUser({ password }) });
      expect(res.status).toBe(201);
    }
  });
});
