import * as grpc from '@grpc/grpc-js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, hotp, timeStep } from '../../src/modules/users/users.totp.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { signUp, startLiveApp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_LOGIN_FAILURES: '4' });
});
afterAll(() => app.close());

type Challenge = { mfa_required: true; mfa_token: string; expires_in: number };
type Session = { id: string; token: string; refresh_token: string; mfa_enrollment_required?: true };

/** The code of the step `offset` steps from now: each step's code is accepted once. */
const codeAt = (secret: string, offset = 0) =>
  hotp(base32Decode(secret), timeStep(Date.now()) + BigInt(offset));

/**
 * Waits for a new step when the current one ends within `marginMs`, so a test that relies
 * on "the previous step" or "this step" meaning the same thing across a few calls holds on
 * a slow run too.
 */
async function awayFromStepEnd(marginMs = 5_000) {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

async function enrol(target: TestApp, token: string) {
  await awayFromStepEnd();
  const started = await target.api<{ secret: string; otpauth_uri: string }>('POST', '/users/me/mfa/totp', {
    token,
  });
  expect(started.status).toBe(200);
  const { secret } = started.body.results;
  const confirmed = await target.api<{ recovery_codes: string[] }>('POST', '/users/me/mfa/totp/confirm', {
    token,
    body: { code: codeAt(secret, -1) },
  });
  expect(confirmed.status).toBe(200);
  return { secret, recoveryCodes: confirmed.body.results.recovery_codes };
}

const login = (target: TestApp, email: string, password: string) =>
  target.api<Challenge & Session>('POST', '/users/login', { body: { email, password } });
const second = (target: TestApp, body: Record<string, string>) =>
  target.api<Session>('POST', '/auth/login/mfa', { body });

describe('TOTP two-factor sign-in', () => {
  it('is for sellers and admins: a buyer gets 403', async () => {
    const buyer = await signUp(app);
    const res = await app.api('POST', '/users/me/mfa/totp', { token: buyer.token });
    expect(res.status).toBe(403);
  });

  it('is not in force until a first code confirms it, and refuses a wrong first code', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const started = await app.api<{ secret: string; otpauth_uri: string }>('POST', '/users/me/mfa/totp', {
      token: seller.token,
    });
    expect(started.body.results.otpauth_uri).toMatch(/^otpauth:\/\/totp\/.+\?secret=/);
    expect((await login(app, seller.email, seller.password)).body.results.token).toBeDefined();
    const wrong = await app.api('POST', '/users/me/mfa/totp/confirm', {
      token: seller.token,
      body: { code: codeAt(started.body.results.secret, 5) },
    });
    expect(wrong.status).toBe(401);
    const status = await app.api<{ totp_enabled: boolean }>('GET', '/users/me/mfa', { token: seller.token });
    expect(status.body.results.totp_enabled).toBe(false);
  });

  it('keeps the seed encrypted at rest', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const { secret } = await enrol(app, seller.token);
    const { rows } = await sql<{
      secret: string;
    }>`SELECT secret FROM user_totp WHERE user_id = ${seller.id}`.execute(app.db.database.db);
    expect(rows[0]!.secret.startsWith('v1:')).toBe(true);
    expect(rows[0]!.secret).not.toContain(secret);
  });

  it('asks for a code after the password, accepts each code once, and the challenge once', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const { secret } = await enrol(app, seller.token);
    const first = await login(app, seller.email, seller.password);
    expect(first.status).toBe(200);
    expect(first.body.results).toMatchObject({ mfa_required: true });
    expect(first.body.results.token).toBeUndefined();
    const mfaToken = first.body.results.mfa_token;

    // The confirmation used the previous step's code: it cannot sign in again.
    const replayed = await second(app, { mfa_token: mfaToken, code: codeAt(secret, -1) });
    expect(replayed.status).toBe(401);
    expect(replayed.body.meta.code).toBe('invalid_mfa_code');

    const code = codeAt(secret, 0);
    const done = await second(app, { mfa_token: mfaToken, code });
    expect(done.status).toBe(200);
    expect((await app.api('GET', '/users/me', { token: done.body.results.token })).status).toBe(200);

    // The challenge is spent, and so is the code.
    expect((await second(app, { mfa_token: mfaToken, code: codeAt(secret, 1) })).body.meta.code).toBe(
      'invalid_mfa_token',
    );
    const again = await login(app, seller.email, seller.password);
    const reused = await second(app, { mfa_token: again.body.results.mfa_token, code });
    expect(reused.status).toBe(401);
  });

  it('signs in with a recovery code once', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const { recoveryCodes } = await enrol(app, seller.token);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const challenge = await login(app, seller.email, seller.password);
    const used = await second(app, {
      mfa_token: challenge.body.results.mfa_token,
      recovery_code: recoveryCodes[0]!.toLowerCase(),
    });
    expect(used.status).toBe(200);
    const status = await app.api<{ recovery_codes_left: number }>('GET', '/users/me/mfa', {
      token: used.body.results.token,
    });
    expect(status.body.results.recovery_codes_left).toBe(9);
    const next = await login(app, seller.email, seller.password);
    const twice = await second(app, {
      mfa_token: next.body.results.mfa_token,
      recovery_code: recoveryCodes[0]!,
    });
    expect(twice.status).toBe(401);
  });

  it('counts wrong codes as failed logins', async () => {
    const seller = await signUp(app, { role: 'seller' });
    await enrol(app, seller.token);
    const challenge = await login(app, seller.email, seller.password);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await second(app, { mfa_token: challenge.body.results.mfa_token, code: '000000' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
  });

  // The split gateway serves no gRPC of its own (the users service behind it does).
  it.skipIf(process.env.MAMLAKA_TEST_SPLIT === '1')(
    'does not let gRPC LoginUser bypass the second factor',
    async () => {
      const seller = await signUp(app, { role: 'seller' });
      await enrol(app, seller.token);
      const clients = grpcClients(app.grpcAddress);
      try {
        const outcome = await call(clients.users, 'LoginUser', {
          email: seller.email,
          password: seller.password,
        });
        expect(outcome.response).toBeUndefined();
        expect(outcome.error?.code).toBe(grpc.status.FAILED_PRECONDITION);
        expect(outcome.reason).toBe('mfa_required');
      } finally {
        clients.close();
      }
    },
  );

  it('turns off with the password, and new recovery codes replace the old ones', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const { secret, recoveryCodes } = await enrol(app, seller.token);
    const renewed = await app.api<{ recovery_codes: string[] }>('POST', '/users/me/mfa/recovery-codes', {
      token: seller.token,
      body: { code: codeAt(secret, 0) },
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.results.recovery_codes).not.toContain(recoveryCodes[0]);
    const wrong = await app.api('DELETE', '/users/me/mfa/totp', {
      token: seller.token,
      body: { password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    const off = await app.api('DELETE', '/users/me/mfa/totp', {
      token: seller.token,
      body: { password: seller.password },
    });
    expect(off.status).toBe(200);
    expect((await login(app, seller.email, seller.password)).body.results.token).toBeDefined();
  });
});

describe('admins in live mode', () => {
  it('must enrol TOTP before anything else, and then sign in with it', async () => {
    const live = await startLiveApp();
    try {
      const email = `live.admin.${Date.now()}@example.com`;
      const password = 'admin password 1';
      await live.platform.users.users.createAdmin({ name: 'Root', email, password });
      const first = await login(live, email, password);
      expect(first.status).toBe(200);
      expect(first.body.results.mfa_enrollment_required).toBe(true);
      const token = first.body.results.token;

      const blocked = await live.api('GET', '/admin/users', { token });
      expect(blocked.status).toBe(403);
      expect(blocked.body.meta.code).toBe('mfa_enrollment_required');
      // A refresh keeps the restriction.
      const refreshed = await live.api<Session>('POST', '/auth/refresh', {
        body: { refresh_token: first.body.results.refresh_token },
      });
      expect(refreshed.body.results.mfa_enrollment_required).toBe(true);

      const { secret } = await enrol(live, token);
      const challenge = await login(live, email, password);
      expect(challenge.body.results.mfa_required).toBe(true);
      const done = await second(live, {
        mfa_token: challenge.body.results.mfa_token,
        code: codeAt(secret, 0),
      });
      expect(done.status).toBe(200);
      expect(done.body.results.mfa_enrollment_required).toBeUndefined();
      expect((await live.api('GET', '/admin/users', { token: done.body.results.token })).status).toBe(200);

      const keep = await live.api('DELETE', '/users/me/mfa/totp', {
        token: done.body.results.token,
        body: { password },
      });
      expect(keep.status).toBe(409);
      expect(keep.body.meta.code).toBe('mfa_required_for_role');
    } finally {
      await live.close();
    }
  });
});
