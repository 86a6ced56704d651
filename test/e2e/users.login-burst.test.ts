import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

const BURST = 30;

const burstOfLogins = (app: TestApp, user: { email: string; password: string }) =>
  Promise.all(
    Array.from({ length: BURST }, () =>
      app.api('POST', '/users/login', { body: { email: user.email, password: user.password } }),
    ),
  );

describe('a burst of logins within the default hashing queue', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      // The production default, which the other suites lower to 0 (see startTestApp). The
      // wait stays at the suites' 60 s: beside other suites a hash at nice 19 can take
      // longer than 5 s ÷ 30, and the bound below is tested on its own.
      PASSWORD_HASH_NICE: '19',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
      RATE_LIMIT_LOGIN_FAILURES: '1000',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '1000',
    });
  });
  afterAll(() => app.close());

  it('signs every login in: they wait their turn for a hashing slot instead of failing', async () => {
    const user = await signUp(app);
    const answers = await burstOfLogins(app, user);
    expect(answers.map((answer) => answer.status)).toEqual(Array(BURST).fill(200));
  });
});

describe('a burst of logins beyond the hashing queue', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE_LIMIT: '1',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
      // Exactly one burst's worth: a refusal that counted as a failed guess would leave the
      // second burst without points, and it would be answered 429.
      RATE_LIMIT_LOGIN_FAILURES: String(BURST),
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: String(BURST),
    });
  });
  afterAll(() => app.close());

  it('refuses the overflow with 503 and a Retry-After, serves the rest, and does not count refusals as guesses', async () => {
    const user = await signUp(app);
    for (const round of [1, 2]) {
      const answers = await burstOfLogins(app, user);
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.every((status) => status === 200 || status === 503),
        `round ${round}: ${statuses}`,
      ).toBe(true);
      expect(statuses.filter((status) => status === 200).length, `round ${round}`).toBeGreaterThanOrEqual(1);
      const refused = answers.filter((answer) => answer.status === 503);
      expect(refused.length, `round ${round}`).toBeGreaterThanOrEqual(1);
      for (const answer of refused) {
        expect(answer.body.meta).toMatchObject({ success: false, code: 'password_hashing_busy' });
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
    }
    // Once the burst has passed, the account signs in as usual.
    const after = await app.api('POST', '/users/login', {
      body: { email: user.email, password: user.password },
    });
    expect(after.status).toBe(200);
  });

  it('documents the refusal on every route that hashes or checks a password', async () => {
    const doc = (await app.api('GET', '/openapi.json')).body as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const hashing = [
      ['/users/register', 'post'],
      ['/users/login', 'post'],
      ['/users/me', 'patch'],
      ['/users/me', 'delete'],
      ['/users/me/mfa/totp', 'delete'],
      ['/auth/password-reset/confirm', 'post'],
    ] as const;
    for (const [path, method] of hashing) {
      expect(Object.keys(doc.paths[path]?.[method]?.responses ?? {}), `${method} ${path}`).toContain('503');
    }
  });
});

describe('a burst of logins that would wait longer than PASSWORD_HASH_MAX_WAIT', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      PASSWORD_HASH_CONCURRENCY: '1',
      // Room for the whole burst: only the expected wait refuses.
      PASSWORD_HASH_QUEUE_LIMIT: String(BURST),
      PASSWORD_HASH_MAX_WAIT: '1ms',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
      RATE_LIMIT_LOGIN_FAILURES: '1000',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '1000',
    });
  });
  afterAll(() => app.close());

  it('refuses with 503 those that would wait behind others, and signs in the rest', async () => {
    const user = await signUp(app);
    const answers = await burstOfLogins(app, user);
    const statuses = answers.map((answer) => answer.status);
    // The first finds the slot free. Whether any other does depends on how the burst's
    // requests spread over the first hash's time, so only one sign-in is certain.
    expect(statuses.filter((status) => status === 200).length, `${statuses}`).toBeGreaterThanOrEqual(1);
    expect(
      statuses.every((status) => status === 200 || status === 503),
      `${statuses}`,
    ).toBe(true);
    // The queue had room for all: without the bound every login would wait and sign in.
    const refused = answers.filter((answer) => answer.status === 503);
    expect(refused.length, `${statuses}`).toBeGreaterThanOrEqual(1);
    for (const answer of refused) {
      expect(answer.body.meta).toMatchObject({ success: false, code: 'password_hashing_busy' });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });
});
