import { normalizeEmail } from '../users.rules.js';

/** Who the provider says signed in, from its ID token and userinfo (checked by openid-client). */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
  email: string | undefined;
  /** Only a JSON `true` from the provider counts: absent, "true" or anything else does not. */
  emailVerified: boolean;
  name: string | undefined;
}

/** What a finished provider sign-in does with our accounts. */
export type SignInDecision =
  | { kind: 'sign_in'; userId: string }
  | { kind: 'link'; userId: string }
  | { kind: 'create'; email: string; name: string }
  | { kind: 'refuse'; code: 'oidc_email_missing' | 'oidc_email_unverified' };

/**
 * A known identity signs in as its user. Otherwise the e-mail decides: an account with it is
 * linked only when the provider vouches for the address (else whoever controls an unverified
 * address at some provider would walk into its owner's account here); no account means a new
 * buyer.
 */
export function decideSignIn(
  identity: ProviderIdentity,
  known: { userId: string } | undefined,
  emailOwner: { id: string } | undefined,
): SignInDecision {
  if (known) return { kind: 'sign_in', userId: known.userId };
  const email = identity.email === undefined ? undefined : acceptableEmail(identity.email);
  if (!email) return { kind: 'refuse', code: 'oidc_email_missing' };
  if (emailOwner) {
    return identity.emailVerified
      ? { kind: 'link', userId: emailOwner.id }
      : { kind: 'refuse', code: 'oidc_email_unverified' };
  }
  return { kind: 'create', email, name: displayName(identity.name, email) };
}

/** The e-mail as our accounts hold it, or undefined for something that is not one. */
export function acceptableEmail(raw: string): string | undefined {
  const email = normalizeEmail(raw);
  return email.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(email) ? email : undefined;
}

const NAME_MAX = 100;

/** The provider's name for the person, else the e-mail's local part, fit for our 1–100 characters. */
export function displayName(name: string | undefined, email: string): string {
  const clean = (text: string) =>
    Array.from(text.replace(/[\p{Cc}\s]+/gu, ' ').trim())
      .slice(0, NAME_MAX)
      .join('')
      .trim();
  return clean(name ?? '') || clean(email.split('@')[0] ?? '') || 'Customer';
}

/**
 * Where the web app goes after signing in: a path of this origin only, so the sign-in cannot
 * be turned into a redirect to another site.
 */
export function safeReturnTo(raw: string | undefined): string {
  if (!raw || raw.length > 512 || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\'))
    return '/';
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(raw) ? '/' : raw;
}

/** One cookie's value from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}
