import { setTimeout as sleep } from 'node:timers/promises';
import { Algorithm } from '@node-rs/argon2';
import { type PasswordHashingSettings, passwordHashingSettings } from '../../config.passwords.js';
import { BoundedConcurrency } from '../../platform/bounded-concurrency.js';
import { AppError, busy } from '../../platform/errors.js';
import {
  type HashingJob,
  type HashingPlace,
  HashingPool,
  HashingProcessGone,
} from './users.hashing-workers.js';

// OWASP's argon2id baseline, computed in the low-priority hashing process (users.hashing-workers.ts).
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const ARGON2_PREFIX = `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`;

const hashingBusy = (estimatedWaitMs: number) =>
  busy(
    'password_hashing_busy',
    'too many passwords are being checked right now, try again shortly',
    estimatedWaitMs,
  );

const limiterFor = (settings: PasswordHashingSettings) =>
  new BoundedConcurrency({
    concurrency: settings.concurrency,
    queueLimit: settings.queueLimit,
    maxWaitMs: settings.maxWaitMs,
    refusal: hashingBusy,
  });
const poolFor = (settings: PasswordHashingSettings) =>
  new HashingPool({ threads: settings.concurrency, nice: settings.nice });

// One per process, not per platform: the cores they share are the process's.
let settings = passwordHashingSettings({});
let hashing = limiterFor(settings);
let pool = poolFor(settings);
let requestsWaiting: () => boolean = () => false;

/** How often a hash that gives way looks again, and how long it gives way at most. */
const CALM_POLL_MS = 5;
const MAX_GIVE_WAY_MS = 1_000;

/**
 * Waits, up to MAX_GIVE_WAY_MS, until no request waits for a database connection. A hash
 * holds a core for ~20 ms at a time, and even at the lowest priority the kernel lets it
 * finish its slice before a woken request runs: each of a checkout's round trips can wait
 * on it, its transaction stays open longer, and the pool's connections run out. A login
 * that waits a moment costs less than every checkout queueing; the bound keeps logins
 * going whatever the load.
 */
async function calm(): Promise<void> {
  const until = performance.now() + MAX_GIVE_WAY_MS;
  while (requestsWaiting() && performance.now() < until) await sleep(CALM_POLL_MS);
}

/**
 * Applies the validated config (createPlatform calls it); hashes already running finish as
 * they were. `busy` says when requests wait for a database connection: a hash about to
 * start waits for it to clear (see calm).
 */
export function configurePasswordHashing(
  next: PasswordHashingSettings,
  busy: () => boolean = () => false,
): void {
  requestsWaiting = busy;
  hashing = limiterFor(next);
  if (next.concurrency !== settings.concurrency || next.nice !== settings.nice) {
    // Jobs already sent finish in the old hashing process, which then ends.
    pool.retire();
    pool = poolFor(next);
  }
  settings = next;
}

/** Where passwords are hashed (the hashing process) and at what priority, read back from the kernel. */
export const passwordHashingPlace = (): Promise<HashingPlace> => pool.place();

/**
 * A job whose hashing process died under it (the next job starts a new one): not a wrong
 * password, and not the client's fault, so a 503 to try again rather than a 401.
 */
const gone = () =>
  busy('password_hashing_unavailable', 'passwords cannot be checked right now, try again', 0);

const run = async (job: HashingJob) => {
  await calm();
  return pool.run(job).catch((error: unknown) => {
    throw error instanceof HashingProcessGone ? gone() : error;
  });
};
const argonHash = async (password: string) =>
  (await run({ op: 'argon2-hash', password, options: ARGON2_OPTIONS })) as string;
const argonVerify = async (hash: string, password: string) =>
  (await run({ op: 'argon2-verify', password, hash })) as boolean;
const verifyBcrypt = async (password: string, hash: string) =>
  (await run({ op: 'bcrypt-verify', password, hash })) as boolean;

/**
 * A hashing slot, once the hashing process is up: the slot's time, which the limiter
 * averages into its expected wait, is then a hash's and not the process's start. A start
 * that failed is left to the task, which starts the process again or reports it gone.
 */
async function limited<T>(task: () => Promise<T>): Promise<T> {
  await pool.ready().catch(() => {});
  return hashing.run(task);
}

/**
 * @throws `password_hashing_busy` (503, with a Retry-After) when too many hashes are already
 * waiting; `password_hashing_unavailable` (503) when the hashing process died under the job.
 */
export const hashPassword = (password: string): Promise<string> => limited(() => argonHash(password));

/**
 * Verifies argon2id hashes and bcrypt hashes of imported accounts; never throws on a malformed hash.
 * An account without a password (made by signing in with OpenID Connect) matches nothing,
 * after the same work as a real check, as an unknown e-mail does.
 * @throws `password_hashing_busy` (503, with a Retry-After) when too many checks are already waiting,
 *   `password_hashing_unavailable` (503) when the hashing process died under the check.
 */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (hash === null) return verifyAgainstDecoy(password);
  return limited(async () => {
    try {
      if (hash.startsWith('$argon2')) return await argonVerify(hash, password);
      if (/^\$2[abxy]\$/.test(hash)) return await verifyBcrypt(password, hash);
      return false;
    } catch (error) {
      // A malformed hash matches nothing; a hashing process that died is no answer at all.
      if (error instanceof AppError) throw error;
      return false;
    }
  });
}

/** True for bcrypt hashes and argon2 hashes made with older parameters: upgrade on next login. */
export const needsRehash = (hash: string | null): boolean => hash !== null && !hash.startsWith(ARGON2_PREFIX);

let decoy: Promise<string> | undefined;

/**
 * Burns the same time as a real verification. Login calls it when the email is unknown,
 * so response time does not reveal whether an account exists.
 * @throws `password_hashing_busy` (503), as `verifyPassword` does, so a refusal does not reveal it either.
 */
export function verifyAgainstDecoy(password: string): Promise<false> {
  return limited(async (): Promise<false> => {
    // Not through hashPassword: with one slot, this call would wait for its own slot forever.
    decoy ??= argonHash('decoy password that matches nothing').catch((error: unknown) => {
      decoy = undefined;
      throw error;
    });
    await argonVerify(await decoy, password).catch((error: unknown) => {
      if (error instanceof AppError) throw error;
      return false;
    });
    return false;
  });
}
