import type { KeyRing } from '../../platform/crypto/keyring.js';

/**
 * The events that carry a one-time link to a mailbox. The outbox table (and NATS) would
 * hold an event's data in plain text, and the link holds a live token, so the link and the
 * address travel sealed with the key ring; the notifications module opens them to write
 * the mail (whose stored body is encrypted at rest too). Context `events.token:<aggregate>`
 * binds a sealed value to its event's aggregate, so it cannot be replayed under another.
 */
export const EMAIL_VERIFICATION_REQUESTED = 'user.email_verification_requested';
export const PASSWORD_RESET_REQUESTED = 'user.password_reset_requested';
export const RECOVERY_EVENTS = [EMAIL_VERIFICATION_REQUESTED, PASSWORD_RESET_REQUESTED] as const;

export interface RecoveryMailSecret {
  /** Where the mail goes: for a verification, the address being verified. */
  email: string;
  /** The page of the web app that takes the token (in the URL fragment, so no server log sees it). */
  url: string;
}

export interface RecoveryEventData {
  user_id: string;
  /** Key-ring ciphertext of a RecoveryMailSecret. */
  sealed: string;
  expires_at: string;
}

const contextOf = (aggregate: string) => `events.token:${aggregate}`;

export const sealRecoveryMail = (keyring: KeyRing, aggregate: string, secret: RecoveryMailSecret): string =>
  keyring.encrypt(JSON.stringify(secret), contextOf(aggregate));

/** @throws DecryptionError for a value not sealed for this aggregate under a known key. */
export function openRecoveryMail(
  keyring: Pick<KeyRing, 'decrypt'>,
  aggregate: string,
  sealed: string,
): RecoveryMailSecret {
  return JSON.parse(keyring.decrypt(sealed, contextOf(aggregate))) as RecoveryMailSecret;
}
