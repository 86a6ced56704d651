import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, grpcClients } from '../helpers/grpc.js';
import { serviceUrl } from '../helpers/services.js';
import { encryptionEnv, signUp, signingKeyPem, startTestApp, type TestApp } from '../helpers/test-app.js';

type Session = { token: string; refresh_token: string };

const login = async (app: TestApp, user: { email: string; password: string }) =>
  (await app.api<Session>('POST', '/users/login', { body: { email: user.email, password: user.password } }))
    .body.results;

const meStatus = async (app: TestApp, token: string) => (await app.api('GET', '/users/me', { token })).status;

/** Polls until `token` is refused, failing after `deadlineMs`; returns how long it took. */
async function refusedWithin(app: TestApp, token: string, deadlineMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await meStatus(app, token)) === 401) return Date.now() - started;
    if (Date.now() - started > deadlineMs) throw new Error(`token still accepted after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('access tokens end with their session', () => {
  let app: TestApp;
  let clients: ReturnType<typeof grpcClients>;
  beforeAll(async () => {
    app = await startTestApp();
    clients = grpcClients(app.grpcAddress);
  });
  afterAll(async () => {
    clients?.close();
    await app?.close();
  });

  const grpcMe = (token: string) => call(clients.users, 'GetMe', {}, { token });

  it('carry the session id, which is the refresh-token family', async () => {
    const u = await signUp(app);
    const claims = JSON.parse(Buffer.from(u.token.split('.')[1]!, 'base64url').toString());
    expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
    const refreshed = await app.api<Session>('POST', '/auth/refresh', { body: { refresh_token: u.refresh } });
    const rotated = JSON.parse(
      Buffer.from(refreshed.body.results.token.split('.')[1]!, 'base64url').toString(),
    );
    expect(rotated.sid).toBe(claims.sid);
  });

  it('are refused on REST and gRPC at once after a REST logout of their session', async () => {
    const u = await signUp(app);
    const other = await login(app, u);
    expect(await meStatus(app, u.token)).toBe(200);
    expect((await grpcMe(u.token)).error).toBeUndefined();

    const out = await app.api('POST', '/auth/logout', { token: u.token, body: { refresh_token: u.refresh } });
    expect(out.status).toBe(200);
    const refused = await app.api('GET', '/users/me', { token: u.token });
    expect(refused.status).toBe(401);
    expect(refused.body.meta.code).toBe('invalid_token');
    const overGrpc = await grpcMe(u.token);
    expect(overGrpc.error?.code).toBe(status.UNAUTHENTICATED);
    expect(overGrpc.reason).toBe('invalid_token');
    // Another session of the same user is not touched.
    expect(await meStatus(app, other.token)).toBe(200);
  });

  it('are refused on gRPC and REST after a gRPC logout', async () => {
    const u = await signUp(app);
    const out = await call(clients.users, 'Logout', { refresh_token: u.refresh }, { token: u.token });
    expect(out.error).toBeUndefined();
    expect((await grpcMe(u.token)).error?.code).toBe(status.UNAUTHENTICATED);
    expect(await meStatus(app, u.token)).toBe(401);
  });

  it('of every session are refused after a logout without a refresh token', async () => {
    const u = await signUp(app);
    const other = await login(app, u);
    expect((await app.api('POST', '/auth/logout', { token: u.token })).status).toBe(200);
    expect(await meStatus(app, u.token)).toBe(401);
    expect(await meStatus(app, other.token)).toBe(401);
    expect((await grpcMe(other.token)).error?.code).toBe(status.UNAUTHENTICATED);
  });

  it('of the other sessions are refused after a password change; the caller’s session goes on', async () => {
    const u = await signUp(app);
    const other = await login(app, u);
    const changed = await app.api('PATCH', '/users/me', {
      token: u.token,
      body: {
        password: 'a brand new secret',
        confirm_password: 'a brand new secret',
        current_password: u.password,
      },
    });
    expect(changed.status).toBe(200);
    expect(await meStatus(app, other.token)).toBe(401);
    expect((await grpcMe(other.token)).error?.code).toBe(status.UNAUTHENTICATED);
    const otherRefresh = await app.api('POST', '/auth/refresh', {
      body: { refresh_token: other.refresh_token },
    });
    expect(otherRefresh.status).toBe(401);
    expect(await meStatus(app, u.token)).toBe(200);
    expect((await app.api('POST', '/auth/refresh', { body: { refresh_token: u.refresh } })).status).toBe(200);
  });

  it('of the other sessions are refused after an email change over gRPC', async () => {
    const u = await signUp(app);
    const other = await login(app, u);
    const changed = await call(
      clients.users,
      'UpdateMe',
      { email: `moved.${randomBytes(4).toString('hex')}@example.com`, current_password: u.password },
      { token: u.token },
    );
    expect(changed.error).toBeUndefined();
    expect(await meStatus(app, other.token)).toBe(401);
    expect(await meStatus(app, u.token)).toBe(200);
  });

  it('of a family are refused once a spent refresh token of it is presented after its successor was used', async () => {
    const u = await signUp(app);
    const rotated = await app.api<Session>('POST', '/auth/refresh', { body: { refresh_token: u.refresh } });
    expect(rotated.status).toBe(200);
    const next = await app.api<Session>('POST', '/auth/refresh', {
      body: { refresh_token: rotated.body.results.refresh_token },
    });
    expect(next.status).toBe(200);
    expect(await meStatus(app, next.body.results.token)).toBe(200);

    const reuse = await app.api('POST', '/auth/refresh', { body: { refresh_token: u.refresh } });
    expect(reuse.body.meta.code).toBe('refresh_token_reused');
    // The thief's (old) and the holder's (newer) access tokens all die with the family.
    expect(await meStatus(app, u.token)).toBe(401);
    expect(await meStatus(app, rotated.body.results.token)).toBe(401);
    expect(await meStatus(app, next.body.results.token)).toBe(401);
    expect((await grpcMe(next.body.results.token)).error?.code).toBe(status.UNAUTHENTICATED);
  });

  it('of a family live on when a reload retries a refresh whose answer was lost', async () => {
    const u = await signUp(app);
    const lost = await app.api<Session>('POST', '/auth/refresh', { body: { refresh_token: u.refresh } });
    expect(lost.status).toBe(200);
    const retry = await app.api<Session>('POST', '/auth/refresh', { body: { refresh_token: u.refresh } });
    expect(retry.status).toBe(200);
    // Nothing is revoked but the successor's refresh token; access tokens run their course.
    expect(await meStatus(app, u.token)).toBe(200);
    expect(await meStatus(app, retry.body.results.token)).toBe(200);
    expect((await grpcMe(retry.body.results.token)).error).toBeUndefined();
  });
});

/** Two instances behind one load balancer: one database, one signing key and key ring, maybe one Redis. */
function twoInstances(label: string, env: () => Record<string, string>) {
  describe(label, () => {
    let a: TestApp;
    let b: TestApp;
    const keys = encryptionEnv();
    beforeAll(async () => {
      const shared = { JWT_PRIVATE_KEY: signingKeyPem(), ...keys, ...env() };
      a = await startTestApp(shared);
      b = await startTestApp(shared, { db: a.db, dataDir: mkdtempSync(path.join(tmpdir(), 'mamlaka-b-')) });
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('a logout on one instance refuses the token on the other within a second', async () => {
      const u = await signUp(a);
      // B has verified (and cached) the token before the logout.
      expect(await meStatus(b, u.token)).toBe(200);
      const out = await a.api('POST', '/auth/logout', { token: u.token, body: { refresh_token: u.refresh } });
      expect(out.status).toBe(200);
      expect(await refusedWithin(b, u.token, 1_000)).toBeLessThan(1_000);
      const clients = grpcClients(b.grpcAddress);
      try {
        expect((await call(clients.users, 'GetMe', {}, { token: u.token })).error?.code).toBe(
          status.UNAUTHENTICATED,
        );
      } finally {
        clients.close();
      }
    });

    it('a revocation made before an instance started applies there too', async () => {
      const u = await signUp(a);
      await a.api('POST', '/auth/logout', { token: u.token });
      const c = await startTestApp(
        { JWT_PRIVATE_KEY: a.config.auth.signingKeyPem!, ...keys, ...env() },
        { db: a.db, dataDir: mkdtempSync(path.join(tmpdir(), 'mamlaka-c-')) },
      );
      try {
        expect(await meStatus(c, u.token)).toBe(401);
      } finally {
        await c.close();
      }
    });
  });
}

twoInstances('revocations across instances through the database', () => ({}));

const redisUrl = serviceUrl('TEST_REDIS_URL');
describe.runIf(redisUrl)('with Redis', () => {
  twoInstances('revocations across instances through Redis', () => ({
    REDIS_URL: redisUrl!,
    RATE_LIMIT_REDIS_PREFIX: `mamlaka-test:${randomBytes(6).toString('hex')}`,
  }));
});
