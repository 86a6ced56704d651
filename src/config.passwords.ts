import { availableParallelism } from 'node:os';
import { integer, type Env } from './config.env.js';

/** How many password hashes (argon2id, and bcrypt for imported accounts) may run at once. */
export interface PasswordHashingSettings {
  /** Hashes computed at the same time; the rest wait their turn. */
  concurrency: number;
  /** Hashes that may wait; one more is refused with 503 and a Retry-After. */
  queueLimit: number;
}

// libuv's own default, used when UV_THREADPOOL_SIZE is not set.
const LIBUV_THREADS = 4;

/** Waiting hashes per slot by default: about 1.3 s of argon2id (~20 ms each) before refusing. */
const QUEUED_PER_SLOT = 64;

/**
 * PASSWORD_HASH_CONCURRENCY (default: one less than the cores and than libuv's threads, at
 * least 1) and PASSWORD_HASH_QUEUE_LIMIT (default 64 per slot). argon2 runs on libuv's thread pool:
 * left unbounded, a burst of logins takes every core from the event loop and every pool
 * thread from file and DNS work, and everything else the server does waits behind it.
 */
export function passwordHashingSettings(
  env: Env,
  cores: number = availableParallelism(),
): PasswordHashingSettings {
  const threads = integer(env, 'UV_THREADPOOL_SIZE', LIBUV_THREADS, 1, 1024);
  const fallback = Math.max(1, Math.min(cores - 1, threads - 1));
  const concurrency = integer(env, 'PASSWORD_HASH_CONCURRENCY', fallback, 1, 1024);
  return {
    concurrency,
    queueLimit: integer(env, 'PASSWORD_HASH_QUEUE_LIMIT', QUEUED_PER_SLOT * concurrency, 0, 100_000),
  };
}
