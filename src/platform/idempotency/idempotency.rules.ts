import { createHash } from 'node:crypto';
import { invalidField } from '../errors.js';

/** The request header naming the key, as Stripe spells it (HTTP headers are case-insensitive). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on a response that is the stored answer to an earlier request, not a new execution. */
export const REPLAYED_HEADER = 'idempotent-replayed';
export const KEY_MAX_LENGTH = 255;
/** How long a key is remembered after its request completes. The SPEC promises at least 24 h. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;
/** How long a claim survives without its holder renewing it; after that, a retry may take it over. */
export const DEFAULT_LEASE_MS = 60_000;
/** Bodies nest far less than this; the bound keeps the canonical form from exhausting the stack. */
export const BODY_MAX_DEPTH = 64;

// Visible ASCII: no spaces, no control characters, nothing outside 0x21–0x7E.
const KEY_PATTERN = /^[\x21-\x7E]+$/;

/**
 * The key a request carries, or `undefined` when it has none (the request then runs
 * without idempotency).
 * @throws AppError `validation_failed` (400) naming `Idempotency-Key` when the header is
 *   present but not 1–255 visible ASCII characters (a repeated header arrives joined by
 *   ", " and is refused for its space).
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (value.length < 1 || value.length > KEY_MAX_LENGTH || !KEY_PATTERN.test(value)) {
    throw invalidField(
      'Idempotency-Key',
      'invalid_format',
      `Idempotency-Key must be 1 to ${KEY_MAX_LENGTH} visible ASCII characters`,
    );
  }
  return value;
}

/**
 * JSON with object keys sorted at every depth, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are
 * the same request. Like JSON.stringify, it drops undefined members and writes non-finite
 * numbers as null; an absent body is `null`.
 * @throws AppError `validation_failed` (400) for a body nested deeper than BODY_MAX_DEPTH.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, 0);
}

function canonical(value: unknown, depth: number): string {
  if (depth > BODY_MAX_DEPTH) {
    throw invalidField('body', 'too_deep', `the request body is nested deeper than ${BODY_MAX_DEPTH} levels`);
  }
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonical(item, depth + 1)).join(',')}]`;
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .filter((name) => object[name] !== undefined)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonical(object[name], depth + 1)}`);
    return `{${members.join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

/**
 * What makes two requests "the same": SHA-256 (hex) over the method, the path as sent
 * (query string included) and the canonical JSON of the parsed body. Each part is
 * JSON-encoded, so no choice of path or body can be mistaken for another split.
 */
export function fingerprintRequest(method: string, path: string, body: unknown): string {
  const material = `${JSON.stringify(method.toUpperCase())}\n${JSON.stringify(path)}\n${canonicalJson(body)}`;
  return createHash('sha256').update(material).digest('hex');
}

/** The part of a stored key that decides what happens to a new request carrying it. */
export type KeyRecord =
  | { status: 'in_flight'; fingerprint: string; lockedUntil: Date; expiresAt: Date }
  | { status: 'completed'; fingerprint: string; expiresAt: Date };

/**
 * - `proceed`: no record, so claim the key and run.
 * - `replay`: answer with the stored response.
 * - `reused` (422): the key was used for a different request.
 * - `in_flight` (409): the first request with this key is still running.
 * - `take_over`: the record is dead (expired, or its holder's lease ran out); claim it.
 */
export type Decision = 'proceed' | 'replay' | 'reused' | 'in_flight' | 'take_over';

/**
 * The decision table for a request whose claim found `existing` in the way, with `now`
 * read from the same clock as the record's timestamps (the database's).
 */
export function decide(existing: KeyRecord | undefined, fingerprint: string, now: Date): Decision {
  // Gone between the claim and the read (released after a 5xx, or cleaned up): claim again.
  if (existing === undefined) return 'proceed';
  // Past retention the key is forgotten, whatever request it was used for.
  if (existing.expiresAt.getTime() <= now.getTime()) return 'take_over';
  if (existing.fingerprint !== fingerprint) return 'reused';
  if (existing.status === 'completed') return 'replay';
  // A holder that stopped renewing its lease has died; the same request may finish its work.
  return existing.lockedUntil.getTime() < now.getTime() ? 'take_over' : 'in_flight';
}

/**
 * Whether a response is remembered under its key, to be replayed to every retry. Stripe
 * saves a result only once the endpoint started executing: a 5xx may not have finished its
 * work, and a 401 means the request was never run as the caller (in the split deployment
 * a service may find the token expired a moment after the gateway accepted it). Both
 * release the key, so the client's retry with a fresh token runs.
 */
export function keepsOutcome(status: number): boolean {
  return status < 500 && status !== 401;
}
