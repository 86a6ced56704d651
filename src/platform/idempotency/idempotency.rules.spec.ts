import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  BODY_MAX_DEPTH,
  canonicalJson,
  decide,
  fingerprintRequest,
  keepsOutcome,
  type KeyRecord,
  parseIdempotencyKey,
} from './idempotency.rules.js';

const now = new Date('2030-01-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const mine = 'a'.repeat(64);
const other = 'b'.repeat(64);
const day = 24 * 60 * 60 * 1000;

const inFlight = (fingerprint: string, lockedUntil: Date, expiresAt = at(day)): KeyRecord => ({
  status: 'in_flight',
  fingerprint,
  lockedUntil,
  expiresAt,
});
const completed = (fingerprint: string, expiresAt = at(day)): KeyRecord => ({
  status: 'completed',
  fingerprint,
  expiresAt,
});

/** Shuffles object keys at every depth, keeping the value the same. */
const reorder = (value: unknown, seed: number): unknown => {
  if (Array.isArray(value)) return value.map((item) => reorder(item, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const rotated = entries.length
    ? [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)]
    : [];
  return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, reorder(v, seed + 1)]));
};

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
};

describe('the Idempotency-Key header', () => {
  it('is optional: a request without it runs without idempotency', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['a single character', 'k'],
    ['255 characters', 'x'.repeat(255)],
    ['a UUID', '3f0e6d6a-9a0b-4c39-8d3e-2f1b8f2b5c11'],
    ['every visible ASCII punctuation mark', '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
  ])('accepts %s', (_, key) => {
    expect(parseIdempotencyKey(key)).toBe(key);
  });

  it.each([
    ['an empty value', ''],
    ['256 characters', 'x'.repeat(256)],
    ['a space', 'two words'],
    ['a tab', 'tab\there'],
    ['a control character', 'bell\u0007'],
    ['DEL', 'del\u007f'],
    ['a non-ASCII letter', 'café'],
    ['a repeated header', ['first', 'second']],
  ])('refuses %s with a 400 naming the header', (_, header) => {
    const error = refusal(() => parseIdempotencyKey(header));
    expect(error).toBeInstanceOf(AppError);
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('validation_failed');
    expect(error.details.fields?.[0]?.field).toBe('Idempotency-Key');
  });
});

describe('request fingerprints', () => {
  const body = { amount: '10.00', items: [{ id: 'p1', qty: 2 }], meta: { b: 1, a: [true, null] } };

  it('are SHA-256 in lower-case hex', () => {
    expect(fingerprintRequest('POST', '/orders', body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignore the order of object keys at every depth', () => {
    const shuffled = { meta: { a: [true, null], b: 1 }, items: [{ qty: 2, id: 'p1' }], amount: '10.00' };
    expect(fingerprintRequest('POST', '/orders', shuffled)).toBe(fingerprintRequest('POST', '/orders', body));
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(canonicalJson(reorder(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });

  it('keep the order of array items', () => {
    expect(fingerprintRequest('POST', '/orders', [1, 2])).not.toBe(
      fingerprintRequest('POST', '/orders', [2, 1]),
    );
  });

  it('differ when the method, the path, the query string or any body value differs', () => {
    const base = fingerprintRequest('POST', '/orders', body);
    expect(fingerprintRequest('PUT', '/orders', body)).not.toBe(base);
    expect(fingerprintRequest('POST', '/orders/2', body)).not.toBe(base);
    expect(fingerprintRequest('POST', '/orders?dry_run=1', body)).not.toBe(base);
    expect(fingerprintRequest('POST', '/orders', { ...body, amount: '10.01' })).not.toBe(base);
    expect(fingerprintRequest('POST', '/orders', { ...body, extra: 0 })).not.toBe(base);
    expect(fingerprintRequest('POST', '/orders', { amount: 10 })).not.toBe(
      fingerprintRequest('POST', '/orders', { amount: '10' }),
    );
  });

  it('cannot be forged by moving text between the path and the body', () => {
    expect(fingerprintRequest('POST', '/a"', 'b')).not.toBe(fingerprintRequest('POST', '/a', '"b'));
  });

  it('treat an absent body as null and drop undefined members, as JSON does', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ z: [undefined], y: 'é' })).toBe('{"y":"é","z":[null]}');
  });

  it('keep the value: the canonical text parses to what JSON.stringify gives', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('refuse a body nested too deeply instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i <= BODY_MAX_DEPTH; i += 1) deep = [deep];
    expect(refusal(() => canonicalJson(deep)).details.fields?.[0]?.field).toBe('body');
    let fine: unknown = 1;
    for (let i = 0; i < BODY_MAX_DEPTH; i += 1) fine = { a: fine };
    expect(() => canonicalJson(fine)).not.toThrow();
  });
});

describe('the decision for a request whose key is already taken', () => {
  it.each<[string, ReturnType<typeof decide>, KeyRecord | undefined]>([
    ['no record (released or cleaned up since the claim)', 'proceed', undefined],
    ['a completed record of the same request', 'replay', completed(mine)],
    ['a completed record of another request', 'reused', completed(other)],
    ['a completed record of another request one millisecond from expiry', 'reused', completed(other, at(1))],
    ['a live claim by the same request', 'in_flight', inFlight(mine, at(30_000))],
    ['a claim by the same request whose lease ends exactly now', 'in_flight', inFlight(mine, at(0))],
    ['a live claim by another request', 'reused', inFlight(other, at(30_000))],
    ['a lapsed claim by the same request', 'take_over', inFlight(mine, at(-1))],
    ['a lapsed claim by another request', 'reused', inFlight(other, at(-1))],
    ['an expired completed record of the same request', 'take_over', completed(mine, at(0))],
    ['an expired completed record of another request', 'take_over', completed(other, at(-1))],
    ['an expired claim by another request', 'take_over', inFlight(other, at(-1), at(-1))],
  ])('%s → %s', (_, expected, existing) => {
    expect(decide(existing, mine, now)).toBe(expected);
  });
});

describe('which outcomes a key remembers', () => {
  it('keeps successes and refusals that ran as the caller, 401 excepted', () => {
    for (const status of [200, 201, 400, 402, 403, 404, 409, 422]) expect(keepsOutcome(status)).toBe(true);
  });

  it('forgets a 401 (never run as the caller) and every 5xx, so a retry can run', () => {
    for (const status of [401, 500, 502, 503, 504]) expect(keepsOutcome(status)).toBe(false);
  });
});
