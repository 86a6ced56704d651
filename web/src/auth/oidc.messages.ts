import { defineMessages } from '../i18n/i18n';

/** Sign in with OpenID Connect: the sign-in page's button and the page the provider returns to. */
export const useOidcT = defineMessages({
  en: {
    or: 'or',
    signInWith: 'Sign in with {name}',
    finishingTitle: 'Signing you in',
    finishing: 'Finishing your sign-in…',
    failedTitle: 'Sign-in did not work',
    tryAgain: 'Back to sign in',
    oidc_email_unverified:
      'An account with this e-mail address already exists, and the provider has not confirmed the address. Sign in with your password instead.',
    oidc_email_missing: 'The provider did not share your e-mail address, which an account needs.',
    oidc_state_invalid: 'This sign-in expired or was started in another browser. Please start again.',
    oidc_denied: 'The sign-in was cancelled at the provider.',
    oidc_code_invalid: 'This sign-in link was already used or expired. Please start again.',
    account_disabled: 'This account is disabled. Contact support to have it enabled.',
    oidc_not_configured: 'Signing in with another provider is not available.',
    rate_limited: 'Too many attempts. Please wait a moment and try again.',
    mfa_required: 'This account uses two-step sign-in: sign in with your password and code instead.',
    oidc_failed: 'The sign-in could not be completed. Please try again.',
  },
  id: {
    or: 'atau',
    signInWith: 'Masuk dengan {name}',
    finishingTitle: 'Sedang masuk',
    finishing: 'Menyelesaikan proses masuk…',
    failedTitle: 'Gagal masuk',
    tryAgain: 'Kembali ke halaman masuk',
    oidc_email_unverified:
      'Akun dengan alamat e-mail ini sudah ada, dan penyedia belum mengonfirmasi alamat tersebut. Silakan masuk dengan kata sandi Anda.',
    oidc_email_missing: 'Penyedia tidak membagikan alamat e-mail Anda, padahal akun memerlukannya.',
    oidc_state_invalid: 'Proses masuk ini kedaluwarsa atau dimulai di peramban lain. Silakan mulai lagi.',
    oidc_denied: 'Proses masuk dibatalkan di penyedia.',
    oidc_code_invalid: 'Tautan masuk ini sudah dipakai atau kedaluwarsa. Silakan mulai lagi.',
    account_disabled: 'Akun ini dinonaktifkan. Hubungi dukungan untuk mengaktifkannya.',
    oidc_not_configured: 'Masuk dengan penyedia lain tidak tersedia.',
    rate_limited: 'Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.',
    mfa_required: 'Akun ini memakai verifikasi dua langkah: masuk dengan kata sandi dan kode Anda.',
    oidc_failed: 'Proses masuk tidak dapat diselesaikan. Silakan coba lagi.',
  },
});

export type OidcErrorKey =
  | 'oidc_email_unverified'
  | 'oidc_email_missing'
  | 'oidc_state_invalid'
  | 'oidc_denied'
  | 'oidc_code_invalid'
  | 'account_disabled'
  | 'oidc_not_configured'
  | 'rate_limited'
  | 'mfa_required'
  | 'oidc_failed';

const KNOWN = new Set<string>([
  'oidc_email_unverified',
  'oidc_email_missing',
  'oidc_state_invalid',
  'oidc_denied',
  'oidc_code_invalid',
  'account_disabled',
  'oidc_not_configured',
  'rate_limited',
  'mfa_required',
]);

/** The message for a server error code; anything unknown reads as a generic failure. */
export const oidcErrorKey = (code: string | null | undefined): OidcErrorKey =>
  code && KNOWN.has(code) ? (code as OidcErrorKey) : 'oidc_failed';
