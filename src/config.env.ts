import { createECDH } from 'node:crypto';
import { parseDurationMs } from './platform/duration.js';
import { parseMailbox } from './platform/mail/mime.js';

/**
 * Reading one environment variable each: the parsers loadConfig (config.ts) is made of. Each
 * either returns a valid value or throws a ConfigError naming the variable.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

/** `NAME_FILE` points at a file holding the secret, as Docker and Kubernetes secrets do. */
export function readSecret(env: Env, name: string, readFile: (p: string) => string): string | undefined {
  const direct = read(env, name);
  if (direct) return direct;
  const file = read(env, `${name}_FILE`);
  if (!file) return undefined;
  try {
    return readFile(file).trim();
  } catch {
    throw new ConfigError(`${name}_FILE`, `cannot read ${file}`);
  }
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

/**
 * An amount in minor units, read as a bigint: a Number would silently round anything above
 * 2^53, and a rounded limit is not the limit the operator wrote.
 */
export function minorAmount(env: Env, name: string, fallback: bigint, min: bigint, max: bigint): bigint {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number of minor units, got "${raw}"`);
  const value = BigInt(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

export function duration(env: Env, name: string, fallback: string): number {
  const raw = read(env, name) ?? fallback;
  const ms = parseDurationMs(raw);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(name, `expected a duration such as 30s, 15m, 24h or 7d, got "${raw}"`);
  }
  return ms;
}

/** A duration with a floor: for retention periods a shorter value would break a guarantee. */
export function durationAtLeast(env: Env, name: string, fallback: string, minMs: number): number {
  const ms = duration(env, name, fallback);
  if (ms < minMs) throw new ConfigError(name, `must be at least ${minMs / 3_600_000}h`);
  return ms;
}

/**
 * A duration that may be zero (the feature it sets is then off) and has a ceiling: for
 * windows that weaken a safeguard while open, where a typo like `10m` for `10s` must not boot.
 */
export function boundedDuration(env: Env, name: string, fallback: string, maxMs: number): number {
  const raw = read(env, name) ?? fallback;
  const ms = parseDurationMs(raw);
  if (ms === undefined || ms > maxMs) {
    throw new ConfigError(name, `expected a duration from 0s to ${maxMs / 1000}s, such as 10s, got "${raw}"`);
  }
  return ms;
}

export function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
  }
  return raw;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

/**
 * Where a gRPC service is: `host:port`, several `ip:port` separated by commas (calls are
 * spread round-robin over them), or a gRPC target such as `dns:///users.mamlaka:50051`.
 */
export function address(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const hostPort = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):\d{1,5}$/;
  const valid =
    /^dns:\/\/\/[A-Za-z0-9.-]+:\d{1,5}$/.test(raw) ||
    raw.split(',').every((part) => hostPort.test(part.trim()));
  if (!valid)
    throw new ConfigError(
      name,
      `expected host:port, a comma-separated list of them, or dns:///host:port; got "${raw}"`,
    );
  return raw;
}

export function natsStream(env: Env): string {
  const stream = read(env, 'NATS_STREAM') ?? 'MAMLAKA_EVENTS';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
    throw new ConfigError('NATS_STREAM', 'must be 1-64 letters, digits, _ or -');
  }
  return stream;
}

/**
 * Live mode allows no cross-origin access unless origins are listed; sandbox allows any real
 * origin by default, for local front ends. `null` (sandboxed iframes, file: pages, some
 * redirects) can be sent by any page, so it is never an allowed origin.
 */
export function corsOrigins(env: Env, mode: 'sandbox' | 'live'): string[] | true {
  const raw = read(env, 'CORS_ORIGINS');
  if (raw === undefined) return mode === 'live' ? [] : true;
  if (raw === '*') {
    if (mode === 'sandbox') return true;
    throw new ConfigError('CORS_ORIGINS', 'cannot be * in live mode: list the allowed origins');
  }
  const origins = raw.split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    // Browsers send exactly scheme://host[:port]: anything else would never match.
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin like https://shop.example`);
    }
  }
  return origins;
}

/** Loopback only: never private ranges, link-local or cloud metadata addresses. */
export const SANDBOX_WEBHOOK_ALLOW_LIST = ['localhost', '127.0.0.1', '::1'];

/**
 * Sandbox lets webhooks reach a receiver on the developer's own machine without a setting
 * (`mamlaka webhooks listen`); live mode allows no non-public host unless listed. A set
 * variable replaces the default, and set but empty (`WEBHOOK_ALLOW_LIST=`) means none.
 */
export function webhookAllowList(env: Env, mode: 'sandbox' | 'live'): string[] {
  const raw = env.WEBHOOK_ALLOW_LIST;
  if (raw === undefined) return mode === 'sandbox' ? [...SANDBOX_WEBHOOK_ALLOW_LIST] : [];
  return raw
    .split(',')
    .map((host) => host.trim())
    .filter(Boolean);
}

/**
 * The Web Push (VAPID, RFC 8292) key pair: both variables or neither. Neither means
 * generated under DATA_DIR (the caller refuses that in live mode). The public key must be
 * an uncompressed P-256 point, the private key 32 bytes, and the one must belong to the
 * other: a mismatched pair signs tokens every push service refuses, found only at send time.
 */
export function vapidKeys(
  env: Env,
  readFile: (p: string) => string,
): { publicKey: string; privateKey: string } | undefined {
  const publicKey = read(env, 'VAPID_PUBLIC_KEY');
  const privateKey = readSecret(env, 'VAPID_PRIVATE_KEY', readFile);
  if (!publicKey && !privateKey) return undefined;
  if (!publicKey) throw new ConfigError('VAPID_PUBLIC_KEY', 'is required when VAPID_PRIVATE_KEY is set');
  if (!privateKey) throw new ConfigError('VAPID_PRIVATE_KEY', 'is required when VAPID_PUBLIC_KEY is set');
  const base64url = /^[A-Za-z0-9_-]+$/;
  const publicBytes = Buffer.from(publicKey, 'base64url');
  if (!base64url.test(publicKey) || publicBytes.length !== 65 || publicBytes[0] !== 4)
    throw new ConfigError(
      'VAPID_PUBLIC_KEY',
      'must be a base64url P-256 public key (65 bytes, uncompressed)',
    );
  const privateBytes = Buffer.from(privateKey, 'base64url');
  if (!base64url.test(privateKey) || privateBytes.length !== 32)
    throw new ConfigError('VAPID_PRIVATE_KEY', 'must be a base64url P-256 private key (32 bytes)');
  let derived: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateBytes);
    derived = ecdh.getPublicKey();
  } catch {
    throw new ConfigError('VAPID_PRIVATE_KEY', 'is not a valid P-256 private key');
  }
  if (!derived.equals(publicBytes))
    throw new ConfigError('VAPID_PUBLIC_KEY', 'does not belong to VAPID_PRIVATE_KEY');
  return { publicKey, privateKey };
}

/** One mailbox (`Name <address>` or a bare address), refused at boot rather than at the first mail. */
export function mailbox(env: Env, name: string, fallback: string): string {
  const value = read(env, name) ?? fallback;
  try {
    parseMailbox(value);
  } catch (error) {
    throw new ConfigError(
      name,
      `must be one mailbox, e.g. "Shop <no-reply@shop.example>": ${(error as Error).message}`,
    );
  }
  return value;
}

/**
 * Who push services can contact about this server's pushes: `VAPID_SUBJECT` (mailto: or
 * https:), else the support address. Never the mail sender: that is usually a no-reply box.
 */
export function vapidSubject(env: Env, supportAddress: string | undefined): string {
  const configured = url(env, 'VAPID_SUBJECT', ['mailto:', 'https:']);
  if (configured) return configured;
  const bare = supportAddress && (/<([^<>\s]+@[^<>\s]+)>/.exec(supportAddress)?.[1] ?? supportAddress);
  return bare && /^[^\s@<>]+@[^\s@<>]+$/.test(bare) ? `mailto:${bare}` : 'mailto:support@mamlaka.local';
}
