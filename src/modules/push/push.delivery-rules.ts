import { createECDH } from 'node:crypto';
import { isIP } from 'node:net';
import { afterFailure, type BackoffPolicy } from '../../platform/backoff.js';
import type { FieldError } from '../../platform/errors.js';
import { checkAddresses } from '../../platform/http/url-guard.js';

/**
 * How a push is retried, and which subscriptions may be stored: pure rules over plain
 * data. A push is worth sending only while the push service would still hold it, so it is
 * given up on at the age its TTL allows.
 */
export interface PushPolicy extends BackoffPolicy {
  maxAttempts: number;
}

/** How long the push service keeps a message for a browser that is offline. */
export const PUSH_TTL_SECONDS = 86_400;

export const defaultPushPolicy: PushPolicy = {
  baseDelayMs: 10_000,
  maxDelayMs: 3_600_000,
  maxAgeMs: PUSH_TTL_SECONDS * 1000,
  maxAttempts: 10,
};

/** What one attempt came to: a status from the push service, or an error before one. */
export interface SendOutcome {
  statusCode: number | null;
  error: string | null;
  /** From the push service's Retry-After. */
  retryAfterMs?: number;
  /** An error no retry can fix (a key the library cannot encrypt to, a refused address). */
  permanent?: boolean;
}

export type NextStep =
  { status: 'sent' } | { status: 'gone' } | { status: 'failed' } | { status: 'pending'; retryInMs: number };

/**
 * After an attempt: 2xx is sent; 404 and 410 mean the browser unsubscribed (RFC 8030 §7.3),
 * so the subscription goes; 429, 5xx and network errors are retried with backoff, waiting
 * at least what Retry-After asks; any other answer (400, 401/403 for a VAPID mismatch,
 * 413) would be the same next time, so the push fails.
 */
export function afterAttempt(
  outcome: SendOutcome,
  delivery: { attempts: number; ageMs: number },
  policy: PushPolicy,
  random: () => number = Math.random,
): NextStep {
  const code = outcome.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: 'sent' };
  if (code === 404 || code === 410) return { status: 'gone' };
  const transient = code === null ? !outcome.permanent : code === 429 || code >= 500;
  if (!transient || delivery.attempts >= policy.maxAttempts) return { status: 'failed' };
  const next = afterFailure(delivery, policy, random);
  if (next.giveUp) return { status: 'failed' };
  const asked = Math.min(outcome.retryAfterMs ?? 0, policy.maxDelayMs);
  return { status: 'pending', retryInMs: Math.max(next.delayMs, asked) };
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(at - nowMs, 0);
}

/** Hosts a sandbox push may reach over plain http: the developer's own machine only. */
export const SANDBOX_PUSH_HOSTS = ['localhost', '127.0.0.1', '::1'];

/**
 * Whether an endpoint may be stored. Browsers' push services are public https URLs; live
 * mode takes nothing else. Sandbox also takes http on loopback, so a local endpoint can
 * stand in for a push service. An IP literal must be public (or, in sandbox, loopback):
 * the server POSTs to this URL, so it must not point into the platform's own network.
 * Host names are vetted again when each push connects (DNS can change).
 */
export function checkEndpoint(raw: string, mode: 'sandbox' | 'live'): FieldError | undefined {
  const fail = (message: string): FieldError => ({ field: 'endpoint', code: 'invalid_endpoint', message });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('endpoint must be an absolute URL');
  }
  if (url.username || url.password) return fail('endpoint must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowList = mode === 'sandbox' ? SANDBOX_PUSH_HOSTS : [];
  const loopback = SANDBOX_PUSH_HOSTS.includes(host);
  if (url.protocol === 'http:') {
    if (mode === 'live' || !loopback)
      return fail('endpoint must use https (http only to loopback in sandbox)');
  } else if (url.protocol !== 'https:') return fail('endpoint must use https');
  if (host === 'localhost' && mode === 'live') return fail('endpoint must be a public push service');
  if (isIP(host) && !checkAddresses(host, [host], allowList).ok)
    return fail('endpoint must be a public push service');
  return undefined;
}

/**
 * The browser's keys: `p256dh` an uncompressed P-256 point (65 bytes), `auth` 16 bytes,
 * both base64url. A point off the curve would make every push fail to encrypt, so it is
 * refused now rather than at the first send.
 */
export function checkKeys(keys: { p256dh: string; auth: string }): FieldError[] {
  const errors: FieldError[] = [];
  const decode = (text: string) => Buffer.from(text.replace(/=+$/, ''), 'base64url');
  const point = decode(keys.p256dh);
  let onCurve = point.length === 65 && point[0] === 4;
  if (onCurve) {
    try {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      ecdh.computeSecret(point);
    } catch {
      onCurve = false;
    }
  }
  if (!onCurve)
    errors.push({
      field: 'keys.p256dh',
      code: 'invalid_key',
      message: 'p256dh must be a base64url P-256 public key (65 bytes, uncompressed)',
    });
  if (decode(keys.auth).length !== 16)
    errors.push({ field: 'keys.auth', code: 'invalid_key', message: 'auth must be 16 bytes, base64url' });
  return errors;
}
