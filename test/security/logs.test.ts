import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

// Every log line the app writes, as written.
const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ LOG_LEVEL: 'info' }, undefined, capture);
});
afterAll(() => app?.close());

/**
 * A constraint the app's own writes break, so the database refuses a statement full of
 * personal data. Names are stored encrypted, so it looks at what it can see: a ciphertext's
 * length follows its plaintext's, and only a name of 100 characters makes one this long.
 */
const refuse = (name: string, check: string) =>
  sql.raw(`ALTER TABLE users ADD CONSTRAINT ${name} CHECK (${check}) NOT VALID`).execute(app.db.database.db);

/** The lines of one request, and the error line among them. */
function logOf(requestId: string) {
  const mine = lines.filter((line) => line.includes(requestId));
  const failure = mine.map((line) => JSON.parse(line)).find((entry) => entry.level === 50);
  return { mine, failure };
}

describe('a failed database write is logged without the statement or its values', () => {
  beforeAll(() => refuse('test_no_long_names', 'length(name) < 150'));

  it('logs a failed registration with its request id, and neither the e-mail nor the password hash', async () => {
    const body = newUser({ name: 'N'.repeat(100), email: `blocked.${Date.now()}@example.com` });
    const res = await app.api('POST', '/users/register', { body });
    expect(res.status).toBe(500);
    const requestId = String(res.body.meta.request_id);

    const { failure } = logOf(requestId);
    expect(failure?.err).toMatchObject({ code: '23514', constraint: 'test_no_long_names' });
    for (const line of lines) {
      expect(line).not.toContain(body.email);
      expect(line).not.toContain('$argon2id$');
      expect(line.toLowerCase()).not.toContain('insert into');
    }
  });

  it('logs a failed profile update without the stored hash the database repeats in its detail', async () => {
    const user = await signUp(app);
    const stored = await sql<{
      password_hash: string;
    }>`select password_hash from users where id = ${user.id}`.execute(app.db.database.db);
    const hash = stored.rows[0]!.password_hash;
    expect(hash).toMatch(/^\$argon2id\$/);
    const name = 'Blocked name'.padEnd(100, '!');
    const res = await app.api('PATCH', '/users/me', { token: user.token, body: { name } });
    expect(res.status).toBe(500);
    const { failure } = logOf(String(res.body.meta.request_id));
    expect(failure?.err).toMatchObject({ code: '23514', constraint: 'test_no_long_names' });
    for (const line of lines) {
      expect(line).not.toContain(hash);
      expect(line).not.toContain(user.email);
    }
  });
});
