import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let user: Awaited<ReturnType<typeof signUp>>;
let kid: string;
beforeAll(async () => {
  app = await startTestApp();
  user = await signUp(app);
  kid = JSON.parse(Buffer.from(user.token.split('.')[0]!, 'base64url').toString()).kid;
});
afterAll(() => app.close());

const ourKey = () =>
  createPrivateKey(readFileSync(path.join(app.config.dataDir, 'keys', 'jwt-ed25519.pem'), 'utf8'));

const mint = (
  claims: { aud?: string; iss?: string; exp?: number | string; sid?: string | null } = {},
  key = ourKey(),
) =>
  new SignJWT({ role: 'buyer', ...(claims.sid === null ? {} : { sid: claims.sid ?? randomUUID() }) })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setSubject(user.id)
    .setIssuer(claims.iss ?? app.config.auth.issuer)
    .setAudience(claims.aud ?? app.config.auth.audience)
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? '5m')
    .sign(key);

const me = (token?: string) => app.api('GET', '/users/me', token ? { token } : {});

describe('access tokens', () => {
  it('are accepted when minted by us, and verify against the published JWKS', async () => {
    expect((await me(user.token)).status).toBe(200);
    expect((await me(await mint())).status).toBe(200);
    const jwks = await app.api<never>('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const { payload, protectedHeader } = await jwtVerify(user.token, createLocalJWKSet(jwks.body as never), {
      issuer: app.config.auth.issuer,
      audience: app.config.auth.audience,
    });
    expect(payload.sub).toBe(user.id);
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('refuses a request with no token', async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(res.body.meta.code).toBe('authentication_required');
  });

  it.each([
    ['an expired token', () => mint({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a token for another audience', () => mint({ aud: 'someone-else' })],
    ['a token from another issuer', () => mint({ iss: 'https://evil.example' })],
    ['a token signed by another key', () => mint({}, generateKeyPairSync('ed25519').privateKey)],
    ['a token without a session id (sid)', () => mint({ sid: null })],
    [
      'a token with a tampered payload',
      async () => {
        const [h, p, s] = user.token.split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
        claims.role = 'admin';
        return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      },
    ],
    [
      'an alg:none token',
      async () => {
        const [, p] = user.token.split('.');
        return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
      },
    ],
    [
      'an HS256 token keyed with the public key',
      async () => {
        const jwks = (await app.api<never>('GET', '/.well-known/jwks.json')).body as unknown as {
          keys: { x: string }[];
        };
        return new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'HS256', kid })
          .setSubject(user.id)
          .setIssuer(app.config.auth.issuer)
          .setAudience(app.config.auth.audience)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(jwks.keys[0]!.x));
      },
    ],
    ['garbage', async () => 'not.a.token'],
  ])('refuses %s with 401', async (_label, token) => {
    const res = await me(await token());
    expect(res.status).toBe(401);
    expect(res.body.meta.code).toBe('invalid_token');
  });

  it('refuses a malformed Authorization header', async () => {
    const res = await app.api('GET', '/users/me', { headers: { authorization: `Basic ${user.token}` } });
    expect(res.status).toBe(401);
  });
});

describe('refresh tokens', () => {
  type Session = { token: string; refresh_token: string; id: string; role: string; expires_in: number };
  const refresh = (refresh_token: string) =>
    app.api<Session>('POST', '/auth/refresh', { body: { refresh_token } });

  it('rotate: each refresh returns a new pair in the login shape and spends the old token', async () => {
    const u = await signUp(app);
    const first = await refresh(u.refresh);
    expect(first.status).toBe(200);
    expect(first.body.results).toMatchObject({ id: u.id, role: 'buyer', expires_in: 900 });
    expect(first.body.results.refresh_token).not.toBe(u.refresh);
    expect((await me(first.body.results.token)).status).toBe(200);
    const second = await refresh(first.body.results.refresh_token);
    expect(second.status).toBe(200);
  });

  it('revoke the whole family when a spent token is presented after its successor was used', async () => {
    const u = await signUp(app);
    const rotated = await refresh(u.refresh);
    expect(rotated.status).toBe(200);
    const next = await refresh(rotated.body.results.refresh_token);
    expect(next.status).toBe(200);
    // Within the reuse grace, but the holder has moved on: the old token is in other hands.
    const reuse = await refresh(u.refresh);
    expect(reuse.status).toBe(401);
    expect(reuse.body.meta.code).toBe('refresh_token_reused');
    // The thief's reuse also kills the legitimate holder's newer token.
    const afterReuse = await refresh(next.body.results.refresh_token);
    expect(afterReuse.status).toBe(401);
    expect((await me(next.body.results.token)).status).toBe(401);
  });

  it('take a spent token presented again within the grace for a lost answer, replacing its unused successor', async () => {
    const u = await signUp(app);
    const lost = await refresh(u.refresh);
    expect(lost.status).toBe(200);
    // The page reloaded before the answer arrived: it presents the old token again.
    const retry = await refresh(u.refresh);
    expect(retry.status).toBe(200);
    expect(retry.body.results.refresh_token).not.toBe(lost.body.results.refresh_token);
    expect((await me(retry.body.results.token)).status).toBe(200);
    // The successor nobody received is merely invalid: the session lives on.
    const stale = await refresh(lost.body.results.refresh_token);
    expect([stale.status, stale.body.meta.code]).toEqual([401, 'invalid_refresh_token']);
    expect((await me(retry.body.results.token)).status).toBe(200);
    const next = await refresh(retry.body.results.refresh_token);
    expect(next.status).toBe(200);
    // Once the replacement has been used, the old token is theft again.
    const reuse = await refresh(u.refresh);
    expect(reuse.body.meta.code).toBe('refresh_token_reused');
    expect((await refresh(next.body.results.refresh_token)).status).toBe(401);
  });

  it('leave at most one usable token in a family after concurrent refreshes with one token', async () => {
    const u = await signUp(app);
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh(u.refresh)));
    // Each is a spend or a retry of it within the grace: all may succeed, none is theft.
    for (const result of results) expect(result.status).toBe(200);
    const returned = results.map((r) => r.body.results.refresh_token);
    expect(new Set(returned).size).toBe(returned.length);
    const usable = [];
    for (const token of returned) {
      const tried = await refresh(token);
      expect([200, 401]).toContain(tried.status);
      if (tried.status === 200) usable.push(tried.body.results.refresh_token);
      else expect(tried.body.meta.code).toBe('invalid_refresh_token');
    }
    expect(usable).toHaveLength(1);
    expect((await refresh(usable[0]!)).status).toBe(200);
  });

  it('refuse an unknown token and a malformed body', async () => {
    expect((await refresh('x'.repeat(43))).body.meta.code).toBe('invalid_refresh_token');
    const bad = await app.api('POST', '/auth/refresh', { body: { refresh_token: 5 } });
    expect(bad.status).toBe(400);
  });

  it('stop working after logout of their session, while other sessions live on', async () => {
    const u = await signUp(app);
    const other = await app.api<Session>('POST', '/users/login', {
      body: { email: u.email, password: u.password },
    });
    const out = await app.api('POST', '/auth/logout', { token: u.token, body: { refresh_token: u.refresh } });
    expect(out.status).toBe(200);
    expect(out.body.meta.message).toBe('logout successfully');
    expect((await refresh(u.refresh)).status).toBe(401);
    expect((await refresh(other.body.results.refresh_token)).status).toBe(200);
  });

  it('all stop working after a logout without a token', async () => {
    const u = await signUp(app);
    const other = await app.api<Session>('POST', '/users/login', {
      body: { email: u.email, password: u.password },
    });
    expect((await app.api('POST', '/auth/logout', { token: u.token })).status).toBe(200);
    expect((await refresh(u.refresh)).status).toBe(401);
    expect((await refresh(other.body.results.refresh_token)).status).toBe(401);
  });

  it('cannot be revoked by another user', async () => {
    const victim = await signUp(app);
    const attacker = await signUp(app);
    await app.api('POST', '/auth/logout', { token: attacker.token, body: { refresh_token: victim.refresh } });
    expect((await refresh(victim.refresh)).status).toBe(200);
  });
});

describe('refresh tokens with the reuse grace set', () => {
  type Session = { token: string; refresh_token: string };
  const refreshAt = (at: TestApp, refresh_token: string) =>
    at.api<Session>('POST', '/auth/refresh', { body: { refresh_token } });

  it('with REFRESH_TOKEN_REUSE_GRACE=0s treat any second use as theft, as before the grace existed', async () => {
    const strict = await startTestApp({ REFRESH_TOKEN_REUSE_GRACE: '0s' });
    try {
      const u = await signUp(strict);
      const rotated = await refreshAt(strict, u.refresh);
      expect(rotated.status).toBe(200);
      const reuse = await refreshAt(strict, u.refresh);
      expect([reuse.status, reuse.body.meta.code]).toEqual([401, 'refresh_token_reused']);
      expect((await refreshAt(strict, rotated.body.results.refresh_token)).status).toBe(401);
      expect((await strict.api('GET', '/users/me', { token: rotated.body.results.token })).status).toBe(401);

      const other = await signUp(strict);
      const both = await Promise.all([refreshAt(strict, other.refresh), refreshAt(strict, other.refresh)]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
    } finally {
      await strict.close();
    }
  });

  it('treat a spent token presented once the grace has passed as theft, successor unused or not', async () => {
    const brief = await startTestApp({ REFRESH_TOKEN_REUSE_GRACE: '300ms' });
    try {
      const u = await signUp(brief);
      const rotated = await refreshAt(brief, u.refresh);
      expect(rotated.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const late = await refreshAt(brief, u.refresh);
      expect([late.status, late.body.meta.code]).toEqual([401, 'refresh_token_reused']);
      expect((await refreshAt(brief, rotated.body.results.refresh_token)).status).toBe(401);
    } finally {
      await brief.close();
    }
  });
});
