import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailsTo, tokenMailed } from '../helpers/mailbox.js';
import { newUser, signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ MAIL_SEND_INTERVAL: '50ms', RATE_LIMIT_RECOVERY_PER_ACCOUNT: '3' });
});
afterAll(() => app.close());

// Registration's welcome mail carries the first link; later ones come on their own.
const VERIFY = /welcome|confirm your e-mail/i;
const RESET = /reset your .* password/i;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const profile = async (token: string) =>
  (await app.api<{ email: string; email_verified: boolean }>('GET', '/users/me', { token })).body.results;
const verify = (token: string) => app.api('POST', '/auth/verify-email', { body: { token } });

describe('e-mail verification', () => {
  it('mails a link on registration that verifies the address once', async () => {
    const user = await signUp(app);
    expect((await profile(user.token)).email_verified).toBe(false);
    const token = await tokenMailed(app, user.email, VERIFY);
    const first = await verify(token);
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual({ email_verified: true });
    expect((await profile(user.token)).email_verified).toBe(true);
    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(again.body.meta.code).toBe('invalid_or_expired_token');
  });

  it('keeps only the hash of a token, and no token in plain text in the outbox', async () => {
    const user = await signUp(app);
    const token = await tokenMailed(app, user.email, VERIFY);
    const db = app.db.database.db;
    const { rows } = await sql<{ n: string | bigint }>`
      SELECT count(*) AS n FROM user_tokens WHERE token_hash = ${sha256(token)}`.execute(db);
    expect(Number(rows[0]!.n)).toBe(1);
    const leaked = await sql<{ n: string | bigint }>`
      SELECT count(*) AS n FROM user_tokens WHERE token_hash = ${token}`.execute(db);
    expect(Number(leaked.rows[0]!.n)).toBe(0);
    const events = await sql<{ data: unknown }>`
      SELECT data FROM outbox_events WHERE aggregate = ${`user:${user.id}`}`.execute(db);
    expect(events.rows.length).toBeGreaterThan(0);
    const everything = JSON.stringify(events.rows);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(user.email);
  });

  it('resends a new link on request; the older one stops working', async () => {
    const user = await signUp(app);
    const first = await tokenMailed(app, user.email, VERIFY);
    const resend = await app.api('POST', '/auth/verify-email/resend', { token: user.token });
    expect(resend.status).toBe(202);
    const second = await tokenMailed(app, user.email, VERIFY, 2);
    expect(second).not.toBe(first);
    expect((await verify(first)).status).toBe(400);
    expect((await verify(second)).status).toBe(200);
    const done = await app.api('POST', '/auth/verify-email/resend', { token: user.token });
    expect(done.status).toBe(409);
    expect(done.body.meta.code).toBe('email_already_verified');
  });

  it('refuses an expired link', async () => {
    const user = await signUp(app);
    const token = await tokenMailed(app, user.email, VERIFY);
    await sql`UPDATE user_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'
      WHERE token_hash = ${sha256(token)}`.execute(app.db.database.db);
    expect((await verify(token)).status).toBe(400);
    expect((await profile(user.token)).email_verified).toBe(false);
  });

  it('after an e-mail change, marks the new address unverified and verifies it only by its own link', async () => {
    const user = await signUp(app);
    const oldLink = await tokenMailed(app, user.email, VERIFY);
    const fresh = `changed.${Date.now()}@example.com`;
    const changed = await app.api<{ email: string; email_verified: boolean }>('PATCH', '/users/me', {
      token: user.token,
      body: { email: fresh, current_password: user.password },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.results).toMatchObject({ email: fresh, email_verified: false });
    const newLink = await tokenMailed(app, fresh, VERIFY);
    // The link mailed to the old address proves nothing about the new one.
    expect((await verify(oldLink)).status).toBe(400);
    expect((await verify(newLink)).status).toBe(200);
    expect(await profile(user.token)).toMatchObject({ email: fresh, email_verified: true });
  });
});

describe('password reset', () => {
  const reset = (email: string) => app.api('POST', '/auth/password-reset', { body: { email } });
  const confirm = (token: string, password: string, confirmation = password) =>
    app.api('POST', '/auth/password-reset/confirm', {
      body: { token, password, confirm_password: confirmation },
    });

  it('answers 202 with the same body whether or not the address has an account', async () => {
    const user = await signUp(app);
    const known = await reset(user.email);
    const unknown = await reset(`nobody.${Date.now()}@example.com`);
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect({ ...known.body.meta, request_id: null }).toEqual({ ...unknown.body.meta, request_id: null });
    expect(known.body.results).toEqual(unknown.body.results);
    expect(known.headers.get('ratelimit-limit')).not.toBeNull();
  });

  it('sets a new password once, ends every session and marks the address verified', async () => {
    const user = await signUp(app);
    expect((await reset(user.email.toUpperCase())).status).toBe(202);
    const token = await tokenMailed(app, user.email, RESET);

    const mismatch = await confirm(token, 'a brand new secret', 'something else');
    expect(mismatch.status).toBe(400);
    const weak = await confirm(token, 'password');
    expect(weak.status).toBe(400);

    const done = await confirm(token, 'a brand new secret');
    expect(done.status).toBe(200);
    expect((await confirm(token, 'another new secret')).status).toBe(400);

    // Every session ended: the access token and the refresh token alike.
    expect((await app.api('GET', '/users/me', { token: user.token })).status).toBe(401);
    const refreshed = await app.api('POST', '/auth/refresh', { body: { refresh_token: user.refresh } });
    expect(refreshed.status).toBe(401);
    const oldLogin = await app.api('POST', '/users/login', {
      body: { email: user.email, password: user.password },
    });
    expect(oldLogin.status).toBe(401);
    const login = await app.api<{ token: string }>('POST', '/users/login', {
      body: { email: user.email, password: 'a brand new secret' },
    });
    expect(login.status).toBe(200);
    expect((await profile(login.body.results.token)).email_verified).toBe(true);
  });

  it('lets one of two concurrent uses of a link through', async () => {
    const user = await signUp(app);
    await reset(user.email);
    const token = await tokenMailed(app, user.email, RESET);
    const answers = await Promise.all([
      confirm(token, 'first new secret'),
      confirm(token, 'second new secret'),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
  });

  it('honours only the newest link, and none past its 30 minutes', async () => {
    const user = await signUp(app);
    await reset(user.email);
    const first = await tokenMailed(app, user.email, RESET);
    await reset(user.email);
    const second = await tokenMailed(app, user.email, RESET, 2);
    expect((await confirm(first, 'a brand new secret')).status).toBe(400);
    await sql`UPDATE user_tokens SET created_at = now() - interval '31 minutes', expires_at = now() - interval '1 minute'
      WHERE token_hash = ${sha256(second)}`.execute(app.db.database.db);
    expect((await confirm(second, 'a brand new secret')).status).toBe(400);
  });

  it('stops mailing one address past its budget, with the same answer', async () => {
    const body = newUser();
    await app.api('POST', '/users/register', { body });
    for (let i = 0; i < 5; i++) expect((await reset(body.email)).status).toBe(202);
    await tokenMailed(app, body.email, RESET, 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const resets = (await mailsTo(app, body.email)).filter((mail) => RESET.test(mail.subject ?? ''));
    expect(resets).toHaveLength(3);
  });

  it('mails nothing for an unknown address', async () => {
    const address = `ghost.${Date.now()}@example.com`;
    await reset(address);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await mailsTo(app, address)).toHaveLength(0);
  });
});
