import type { KeyRing } from '../../platform/crypto/keyring.js';
import type { DomainEvent } from '../../platform/events/event.js';
import {
  EMAIL_VERIFICATION_REQUESTED,
  openRecoveryMail,
  PASSWORD_RESET_REQUESTED,
  type RecoveryEventData,
  type RecoveryMailSecret,
} from '../users/users.recovery-events.js';
import { type Branding, formatTime, type RenderedMail, renderMail } from './notifications.layout.js';

/** What a recovery mail says: the link, and until when it works. */
export interface RecoveryMailInput {
  name: string;
  url: string;
  expires_at: string;
}

/** Sent after registration and after an e-mail change, to the address being verified. */
export function renderEmailVerification(input: RecoveryMailInput, branding: Branding): RenderedMail {
  return renderMail(
    {
      subject: `Confirm your e-mail address for ${branding.productName}`,
      heading: `Hello ${input.name}`,
      paragraphs: [
        `Please confirm that this address belongs to your ${branding.productName} account.`,
        `The link works once, until ${formatTime(input.expires_at)}.`,
        'If you did not sign up or change your address, you can ignore this mail.',
      ],
      action: { label: 'Confirm e-mail address', url: input.url },
    },
    branding,
  );
}

/** Sent when someone asks to reset the password of the account with this address. */
export function renderPasswordReset(input: RecoveryMailInput, branding: Branding): RenderedMail {
  return renderMail(
    {
      subject: `Reset your ${branding.productName} password`,
      heading: `Hello ${input.name}`,
      paragraphs: [
        'Someone (hopefully you) asked to reset the password of your account.',
        `The link works once, until ${formatTime(input.expires_at)}. Setting a new password signs you out everywhere.`,
        branding.supportEmail
          ? `If you did not ask for this, ignore this mail; your password stays as it is. Questions: ${branding.supportEmail}.`
          : 'If you did not ask for this, ignore this mail; your password stays as it is.',
      ],
      action: { label: 'Choose a new password', url: input.url },
    },
    branding,
  );
}

/** A recovery mail an event calls for: to the sealed address, not the account's current one. */
export interface RecoveryMailPlan {
  kind: 'verification' | 'password_reset';
  recipientId: string;
  to: string;
  render(recipient: { name: string }, branding: Branding): RenderedMail;
}

/**
 * The mail of a recovery event (users.recovery-events.ts), its link opened with the key
 * ring; none for any other event.
 * @throws DecryptionError for a sealed value that is not this event's
 */
export function recoveryMailsFor(event: DomainEvent, keyring: Pick<KeyRing, 'decrypt'>): RecoveryMailPlan[] {
  if (event.type !== EMAIL_VERIFICATION_REQUESTED && event.type !== PASSWORD_RESET_REQUESTED) return [];
  const data = event.data as RecoveryEventData;
  const secret: RecoveryMailSecret = openRecoveryMail(keyring, event.aggregate, data.sealed);
  const verification = event.type === EMAIL_VERIFICATION_REQUESTED;
  return [
    {
      kind: verification ? 'verification' : 'password_reset',
      recipientId: data.user_id,
      to: secret.email,
      render: (recipient, branding) =>
        (verification ? renderEmailVerification : renderPasswordReset)(
          { name: recipient.name, url: secret.url, expires_at: data.expires_at },
          branding,
        ),
    },
  ];
}
