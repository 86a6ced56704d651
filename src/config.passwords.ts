import { availableParallelism } from 'node:os';
import { duration, integer, type Env } from './config.env.js';

/** How many password hashes (argon2id, and bcrypt for imported accounts) may run at once. */
export interface PasswordHashingSettings {
  /** Hashes computed at the same time; the rest wait their turn. */
  concurrency: number;
  /** Hashes that may wait; one more is refused with 503 and a Retry-After. */
  queueLimit: number;
  /** The hashing threads' nice value: 19 gives them only CPU time nothing else wants. */
  nice: number;
  /** A hash that would wait longer than this for a slot is refused with 503 at once. */
  maxWaitMs: number;
}

/** The lowest priority: a login storm then slows logins, not payments (users.hashing-workers.ts). */
const LOWEST_PRIORITY = 19;

/** Waiting hashes per slot by default: about 1.3 s of argon2id (~20 ms each) before refusing. */
const QUEUED_PER_SLOT = 64;

/**
 * PASSWORD_HASH_CONCURRENCY (default: one less than the cores, at least 1),
 * PASSWORD_HASH_QUEUE_LIMIT (default 64 per slot), PASSWORD_HASH_NICE (0–19, default 19) and
 * PASSWORD_HASH_MAX_WAIT (default 5 s: under load hashes slow down, and a full queue then
 * holds a login far longer than its client waits).
 * Left unbounded, a burst of logins takes every core, and everything else the server does
 * waits behind it; at a low priority the hashes take only what the rest leaves.
 */
export function passwordHashingSettings(
  env: Env,
  cores: number = availableParallelism(),
): PasswordHashingSettings {
  const concurrency = integer(env, 'PASSWORD_HASH_CONCURRENCY', Math.max(1, cores - 1), 1, 1024);
  return {
    concurrency,
    queueLimit: integer(env, 'PASSWORD_HASH_QUEUE_LIMIT', QUEUED_PER_SLOT * concurrency, 0, 100_000),
    nice: integer(env, 'PASSWORD_HASH_NICE', LOWEST_PRIORITY, 0, LOWEST_PRIORITY),
    maxWaitMs: duration(env, 'PASSWORD_HASH_MAX_WAIT', '5s'),
  };
}
