import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226), written against node:crypto: the whole algorithm is
 * an HMAC and a truncation, and the libraries that wrap it (otplib, speakeasy) add plugin
 * machinery, not safety. Defaults are what every authenticator app reads from a bare
 * otpauth:// URI: SHA-1, 6 digits, 30-second steps.
 */
export interface TotpOptions {
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  digits?: number;
  stepSeconds?: number;
}

const DEFAULTS = { algorithm: 'sha1', digits: 6, stepSeconds: 30 } as const;
/** Steps either side of now that still count: a phone's clock and a slow typist (RFC 6238 §5.2). */
export const TOTP_WINDOW_STEPS = 1;
/** 160 bits, the HMAC-SHA-1 block RFC 4226 §4 recommends. */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as otpauth:// URIs carry secrets. */
export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** @throws Error for a character outside the base32 alphabet. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export const newTotpSecret = (): Buffer => randomBytes(TOTP_SECRET_BYTES);

/** The HOTP value of `counter` (RFC 4226 §5.3: dynamic truncation), zero-padded. */
export function hotp(secret: Buffer, counter: bigint, options: TotpOptions = {}): string {
  const { algorithm, digits } = { ...DEFAULTS, ...options };
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step a moment falls in (T in RFC 6238 §4.2, T0 = 0). */
export const timeStep = (nowMs: number, stepSeconds: number = DEFAULTS.stepSeconds): bigint =>
  BigInt(Math.floor(nowMs / 1000 / stepSeconds));

export const totpAt = (secret: Buffer, nowMs: number, options: TotpOptions = {}): string =>
  hotp(secret, timeStep(nowMs, options.stepSeconds), options);

/**
 * The time step `code` is valid for, within ±TOTP_WINDOW_STEPS of now, or undefined. The
 * caller must refuse any step not newer than the last one it accepted (replay).
 */
export function matchingStep(
  secret: Buffer,
  code: string,
  nowMs: number,
  options: TotpOptions = {},
): bigint | undefined {
  const digits = options.digits ?? DEFAULTS.digits;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return undefined;
  const now = timeStep(nowMs, options.stepSeconds);
  let found: bigint | undefined;
  // Every step is checked, and compared in constant time, so timing tells nothing of which matched.
  for (let delta = -TOTP_WINDOW_STEPS; delta <= TOTP_WINDOW_STEPS; delta++) {
    const step = now + BigInt(delta);
    if (step < 0n) continue;
    const expected = Buffer.from(hotp(secret, step, options));
    if (timingSafeEqual(expected, Buffer.from(code)) && found === undefined) found = step;
  }
  return found;
}

/** The Key URI Format authenticator apps scan as a QR code (Google Authenticator's wiki). */
export function otpauthUri(secret: Buffer, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: 'SHA1',
    digits: String(DEFAULTS.digits),
    period: String(DEFAULTS.stepSeconds),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
