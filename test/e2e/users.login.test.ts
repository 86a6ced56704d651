import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_LOGIN_FAILURES: '3' });
});
afterAll(() => app.close());

type Session = { id: string; role: string; token: string; refresh_token: string; expires_in: number };

describe('POST /users/login', () => {
  it('answers {id, role, token, refresh_token, expires_in}', async () => {
    const user = await signUp(app, { role: 'seller' });
    const res = await app.api<Session>('POST', '/users/login', {
      body: { email: user.email, password: user.password },
    });
    expect(res.status).toBe(200);
    expect(res.body.meta).toMatchObject({ success: true, message: 'login successfully' });
    expect(res.body.results).toMatchObject({
      id: user.id,
      role: 'seller',
      expires_in: 900,
      token_type: 'Bearer',
    });
    expect(res.body.results.token.split('.')).toHaveLength(3);
    expect(res.body.results.refresh_token.length).toBeGreaterThan(30);
  });

  it('accepts the email in any case', async () => {
    const user = await signUp(app);
    const res = await app.api('POST', '/users/login', {
      body: { email: user.email.toUpperCase(), password: user.password },
    });
    expect(res.status).toBe(200);
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const user = await signUp(app);
    const wrong = await app.api('POST', '/users/login', {
      body: { email: user.email, password: 'not the password' },
    });
    const unknown = await app.api('POST', '/users/login', {
      body: { email: `nobody.${Date.now()}@example.com`, password: 'whatever it is' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.meta.code).toBe('invalid_credentials');
    expect({ ...wrong.body.meta, request_id: null }).toEqual({ ...unknown.body.meta, request_id: null });
  });

  it('refuses missing or mistyped fields with 400', async () => {
    const missing = await app.api('POST', '/users/login', { body: { email: 'a@example.com' } });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'password', code: 'required' }),
    ]);
    const mistyped = await app.api('POST', '/users/login', {
      body: { email: 'a@example.com', password: 12345678 },
    });
    expect(mistyped.status).toBe(400);
  });

  it('locks an account for the window at the address that failed too often, even with the right password', async () => {
    const user = await signUp(app);
    for (let i = 0; i < 3; i++) {
      const res = await app.api('POST', '/users/login', {
        body: { email: user.email, password: 'wrong password' },
      });
      expect(res.status).toBe(401);
    }
    const locked = await app.api('POST', '/users/login', {
      body: { email: user.email, password: user.password },
    });
    expect(locked.status).toBe(429);
    expect(locked.body.meta.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('verifies an imported bcrypt hash and upgrades it to argon2id', async () => {
    const body = newUser();
    const created = await app.api<{ id: string }>('POST', '/users/register', { body });
    const legacyHash = await bcrypt.hash(body.password, 10);
    const db = app.db.database.db;
    await db
      .updateTable('users' as never)
      .set({ password_hash: legacyHash } as never)
      .where('id' as never, '=', created.body.results.id as never)
      .execute();
    const res = await app.api('POST', '/users/login', {
      body: { email: body.email, password: body.password },
    });
    expect(res.status).toBe(200);
    const row = (await db
      .selectFrom('users' as never)
      .select('password_hash' as never)
      .where('id' as never, '=', created.body.results.id as never)
      .executeTakeFirstOrThrow()) as { password_hash: string };
    expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
  });
});

describe('per-IP limits', () => {
  it('answers 429 with Retry-After and RateLimit headers once an IP spends its login budget', async () => {
    const limited = await startTestApp({ RATE_LIMIT_LOGIN_PER_IP: '3' });
    try {
      const statuses: number[] = [];
      let last: Awaited<ReturnType<TestApp['api']>> | undefined;
      for (let i = 0; i < 4; i++) {
        last = await limited.api('POST', '/users/login', {
          body: { email: 'x@example.com', password: 'whatever it is' },
        });
        statuses.push(last.status);
        if (i === 0) {
          expect(last.headers.get('ratelimit-limit')).toBe('3');
          expect(last.headers.get('ratelimit-remaining')).toBe('2');
          expect(last.headers.get('ratelimit-policy')).toBe('3;w=900');
        }
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('limits registrations per IP', async () => {
    const limited = await startTestApp({ RATE_LIMIT_REGISTER_PER_IP: '2' });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await limited.api('POST', '/users/register', { body: newUser() })).status);
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });

  it('limits authenticated requests per user', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_USER: '2' });
    try {
      const user = await signUp(limited);
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await limited.api('GET', '/users/me', { token: user.token })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});
