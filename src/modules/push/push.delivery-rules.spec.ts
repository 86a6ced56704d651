import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  afterAttempt,
  checkEndpoint,
  checkKeys,
  defaultPushPolicy,
  parseRetryAfter,
} from './push.delivery-rules.js';

const policy = { ...defaultPushPolicy, baseDelayMs: 1000, maxDelayMs: 60_000, maxAgeMs: 86_400_000 };
const fresh = { attempts: 1, ageMs: 0 };
const noJitter = () => 0.5;

describe('afterAttempt', () => {
  it('counts any 2xx as sent', () => {
    for (const statusCode of [200, 201, 202])
      expect(afterAttempt({ statusCode, error: null }, fresh, policy)).toEqual({ status: 'sent' });
  });

  it('forgets the subscription on 404 and 410', () => {
    for (const statusCode of [404, 410])
      expect(afterAttempt({ statusCode, error: null }, fresh, policy)).toEqual({ status: 'gone' });
  });

  it('retries 429, 5xx and network errors with doubling delays', () => {
    expect(afterAttempt({ statusCode: 500, error: null }, fresh, policy, noJitter)).toEqual({
      status: 'pending',
      retryInMs: 1000,
    });
    expect(
      afterAttempt({ statusCode: 429, error: null }, { attempts: 3, ageMs: 0 }, policy, noJitter),
    ).toEqual({
      status: 'pending',
      retryInMs: 4000,
    });
    expect(afterAttempt({ statusCode: null, error: 'ECONNREFUSED' }, fresh, policy, noJitter)).toMatchObject({
      status: 'pending',
    });
  });

  it('waits at least what Retry-After asks, but never past the longest delay', () => {
    expect(
      afterAttempt({ statusCode: 429, error: null, retryAfterMs: 30_000 }, fresh, policy, noJitter),
    ).toEqual({
      status: 'pending',
      retryInMs: 30_000,
    });
    expect(
      afterAttempt({ statusCode: 503, error: null, retryAfterMs: 10 * 3_600_000 }, fresh, policy, noJitter),
    ).toEqual({
      status: 'pending',
      retryInMs: 60_000,
    });
  });

  it('fails answers a retry would not change, and errors marked permanent', () => {
    for (const statusCode of [301, 400, 401, 403, 413])
      expect(afterAttempt({ statusCode, error: null }, fresh, policy), String(statusCode)).toEqual({
        status: 'failed',
      });
    expect(
      afterAttempt({ statusCode: null, error: 'cannot encrypt', permanent: true }, fresh, policy),
    ).toEqual({
      status: 'failed',
    });
  });

  it('gives up after the last attempt, or once the push would outlive its TTL', () => {
    expect(
      afterAttempt({ statusCode: 500, error: null }, { attempts: policy.maxAttempts, ageMs: 0 }, policy),
    ).toEqual({
      status: 'failed',
    });
    expect(
      afterAttempt({ statusCode: 500, error: null }, { attempts: 2, ageMs: policy.maxAgeMs - 10 }, policy),
    ).toEqual({
      status: 'failed',
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(60_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('checkEndpoint', () => {
  it('takes public https push services in both modes', () => {
    for (const mode of ['sandbox', 'live'] as const) {
      expect(checkEndpoint('https://fcm.googleapis.com/fcm/send/abc', mode)).toBeUndefined();
      expect(checkEndpoint('https://updates.push.services.mozilla.com/wpush/v2/x', mode)).toBeUndefined();
    }
  });

  it('takes http only on loopback, and only in sandbox', () => {
    for (const url of ['http://127.0.0.1:4000/push/1', 'http://localhost/push', 'http://[::1]:9/push'])
      expect(checkEndpoint(url, 'sandbox'), url).toBeUndefined();
    expect(checkEndpoint('http://127.0.0.1:4000/push/1', 'live')).toMatchObject({ field: 'endpoint' });
    expect(checkEndpoint('http://push.example/1', 'sandbox')).toMatchObject({ code: 'invalid_endpoint' });
  });

  it('refuses addresses inside the platform’s network, credentials, and anything not a URL', () => {
    for (const url of [
      'https://10.0.0.1/push',
      'https://169.254.169.254/latest',
      'https://[fd00::1]/push',
      'https://user:pw@push.example/x',
      'ftp://push.example/x',
      'push.example/x',
    ])
      expect(checkEndpoint(url, 'sandbox'), url).toMatchObject({
        field: 'endpoint',
        code: 'invalid_endpoint',
      });
    expect(checkEndpoint('https://127.0.0.1/push', 'live')).toMatchObject({ field: 'endpoint' });
    expect(checkEndpoint('https://localhost/push', 'live')).toMatchObject({ field: 'endpoint' });
  });
});

describe('checkKeys', () => {
  const browser = createECDH('prime256v1');
  browser.generateKeys();
  const p256dh = browser.getPublicKey().toString('base64url');
  const auth = Buffer.alloc(16, 7).toString('base64url');

  it('takes a browser’s real keys, padded or not', () => {
    expect(checkKeys({ p256dh, auth })).toEqual([]);
    expect(checkKeys({ p256dh: browser.getPublicKey().toString('base64'), auth: `${auth}==` })).toEqual([]);
  });

  it('refuses a point off the curve, a compressed point, and an auth secret of the wrong size', () => {
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url');
    expect(checkKeys({ p256dh: offCurve, auth })).toMatchObject([
      { field: 'keys.p256dh', code: 'invalid_key' },
    ]);
    const compressed = browser.getPublicKey(null, 'compressed').toString('base64url');
    expect(checkKeys({ p256dh: compressed, auth })).toMatchObject([{ field: 'keys.p256dh' }]);
    expect(checkKeys({ p256dh, auth: Buffer.alloc(8).toString('base64url') })).toMatchObject([
      { field: 'keys.auth' },
    ]);
  });
});
