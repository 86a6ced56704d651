import Type from 'typebox';

const strict = { additionalProperties: false } as const;

const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'the 6 digits the authenticator shows' });
const RecoveryCode = Type.String({ minLength: 8, maxLength: 40, description: 'one of the recovery codes' });
const OneTimeToken = Type.String({ minLength: 20, maxLength: 200 });

export const MfaChallenge = Type.Object({
  mfa_required: Type.Literal(true),
  mfa_token: Type.String({ description: 'single-use; send it to POST /auth/login/mfa with a code' }),
  expires_in: Type.Integer({ description: 'seconds the mfa_token stays good' }),
});

export const MfaLoginBody = Type.Object(
  { mfa_token: OneTimeToken, code: Type.Optional(TotpCode), recovery_code: Type.Optional(RecoveryCode) },
  { ...strict, description: 'exactly one of code and recovery_code' },
);

export const MfaStatus = Type.Object({
  totp_enabled: Type.Boolean(),
  recovery_codes_left: Type.Integer(),
});

export const TotpEnrolment = Type.Object({
  secret: Type.String({ description: 'the seed in base32, for typing into an authenticator' }),
  otpauth_uri: Type.String({ description: 'otpauth://totp/… for a QR code' }),
});

export const CodeBody = Type.Object({ code: TotpCode }, strict);

export const DisableTotpBody = Type.Object(
  { code: Type.Optional(TotpCode), password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
  { ...strict, description: 'exactly one of code and password' },
);

export const RecoveryCodes = Type.Object({
  recovery_codes: Type.Array(Type.String(), { description: 'shown once: store them somewhere safe' }),
});

export const VerifyEmailBody = Type.Object({ token: OneTimeToken }, strict);
export const EmailVerified = Type.Object({ email_verified: Type.Literal(true) });

export const PasswordResetBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }) },
  strict,
);

export const PasswordResetConfirmBody = Type.Object(
  {
    token: OneTimeToken,
    password: Type.String({ minLength: 8, maxLength: 128 }),
    confirm_password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  strict,
);
