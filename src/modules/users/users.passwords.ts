import { Algorithm, hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { verifyBcrypt } from './users.bcrypt.js';

// OWASP's argon2id baseline. argon2 hashes on libuv's thread pool, bcrypt on a worker: both off the event loop.
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const ARGON2_PREFIX = `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`;

export const hashPassword = (password: string): Promise<string> => argonHash(password, ARGON2_OPTIONS);

/**
 * Verifies argon2id hashes and bcrypt hashes of imported accounts; never throws on a malformed hash.
 * An account without a password (made by signing in with OpenID Connect) matches nothing,
 * after the same work as a real check, as an unknown e-mail does.
 */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (hash === null) return verifyAgainstDecoy(password);
  try {
    if (hash.startsWith('$argon2')) return await argonVerify(hash, password);
    if (/^\$2[abxy]\$/.test(hash)) return await verifyBcrypt(password, hash);
    return false;
  } catch {
    return false;
  }
}

/** True for bcrypt hashes and argon2 hashes made with older parameters: upgrade on next login. */
export const needsRehash = (hash: string | null): boolean => hash !== null && !hash.startsWith(ARGON2_PREFIX);

let decoy: Promise<string> | undefined;

/**
 * Burns the same time as a real verification. Login calls it when the email is unknown,
 * so response time does not reveal whether an account exists.
 */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword('decoy password that matches nothing');
  await argonVerify(await decoy, password).catch(() => false);
  return false;
}
