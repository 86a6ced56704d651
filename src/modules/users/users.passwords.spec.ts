import { existsSync } from 'node:fs';
import { getPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { passwordHashingSettings } from '../../config.passwords.js';
import { AppError } from '../../platform/errors.js';
import {
  configurePasswordHashing,
  hashPassword,
  needsRehash,
  verifyAgainstDecoy,
  passwordHashingPlace,
  verifyPassword,
} from './users.passwords.js';

describe('passwords', () => {
  it('hash with argon2id at the configured parameters and verify', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(hash)).toBe(false);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
  });

  it('verify imported bcrypt hashes and ask for an upgrade', async () => {
    const hash = await bcrypt.hash('correct horse', 4);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
    expect(needsRehash(hash)).toBe(true);
  });

  it('answer false, never throw, for a malformed hash', async () => {
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('x', '$argon2id$garbage')).toBe(false);
  });
});

describe('password hashing under a burst', () => {
  afterEach(() => configurePasswordHashing(passwordHashingSettings({})));

  it('refuse beyond the queue with a 503 carrying a Retry-After, and serve those admitted', async () => {
    configurePasswordHashing({ concurrency: 1, queueLimit: 1, nice: 19, maxWaitMs: 5_000 });
    const hash = await hashPassword('correct horse');
    const burst = await Promise.allSettled([
      verifyPassword('correct horse', hash),
      verifyPassword('correct horse', hash),
      verifyPassword('correct horse', hash),
      verifyAgainstDecoy('correct horse'),
    ]);
    expect(burst.slice(0, 2)).toEqual([
      { status: 'fulfilled', value: true },
      { status: 'fulfilled', value: true },
    ]);
    for (const refused of burst.slice(2)) {
      expect(refused.status).toBe('rejected');
      const error = (refused as PromiseRejectedResult).reason as AppError;
      expect(error).toBeInstanceOf(AppError);
      expect([error.kind, error.code]).toEqual(['unavailable', 'password_hashing_busy']);
      expect(error.details.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    }
    // Once the burst has passed, checks are accepted again.
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
  });

  it('let an unknown account wait its turn like a known one, even with a single slot', async () => {
    configurePasswordHashing({ concurrency: 1, queueLimit: 8, nice: 19, maxWaitMs: 5_000 });
    const results = await Promise.all([verifyAgainstDecoy('a'), verifyAgainstDecoy('b'), hashPassword('c')]);
    expect(results.slice(0, 2)).toEqual([false, false]);
    expect(results[2]).toMatch(/^\$argon2id\$/);
  });

  it("hash in a process of their own at the configured nice value, leaving the server's at its own", async () => {
    const own = getPriority();
    configurePasswordHashing({ concurrency: 2, queueLimit: 8, nice: 19, maxWaitMs: 5_000 });
    const place = await passwordHashingPlace();
    expect(place.pid).not.toBe(process.pid);
    expect(place.nice).toBe(19);
    // Where Linux groups sessions for scheduling, the hashing process's group is lowered too.
    if (existsSync('/proc/self/autogroup')) expect(place.autogroup).toMatch(/ nice 19$/);
    expect(await verifyPassword('correct horse', await hashPassword('correct horse'))).toBe(true);
    expect(getPriority()).toBe(own);
    configurePasswordHashing({ concurrency: 2, queueLimit: 8, nice: 7, maxWaitMs: 5_000 });
    const lowered = await passwordHashingPlace();
    expect([lowered.nice, lowered.pid === place.pid]).toEqual([7, false]);
  });

  it('wait to start a hash while requests wait for a database connection, and at most a second', async () => {
    let busy = true;
    configurePasswordHashing({ concurrency: 1, queueLimit: 8, nice: 19, maxWaitMs: 5_000 }, () => busy);
    let done = false;
    const hashed = hashPassword('correct horse').then((hash) => {
      done = true;
      return hash;
    });
    await sleep(200);
    expect(done).toBe(false);
    busy = false;
    expect(await hashed).toMatch(/^\$argon2id\$/);

    // Requests that never stop waiting do not stop logins: the hash goes ahead after a second.
    busy = true;
    const started = performance.now();
    const hash = await hashPassword('correct horse');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
  });

  it('start the hashing process again when it died, failing only the jobs it had', async () => {
    configurePasswordHashing({ concurrency: 1, queueLimit: 8, nice: 19, maxWaitMs: 5_000 });
    const hash = await hashPassword('correct horse');
    const { pid } = await passwordHashingPlace();
    const lost = verifyPassword('correct horse', hash);
    process.kill(pid, 'SIGKILL');
    // Not a wrong password: a 503 to try again.
    await expect(lost).rejects.toMatchObject({ kind: 'unavailable', code: 'password_hashing_unavailable' });
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect((await passwordHashingPlace()).pid).not.toBe(pid);
  });
});
