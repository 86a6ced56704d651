import { invalidField } from '../errors.js';

/**
 * Keyset pagination cursors, opaque to clients: the sort key of the last row of a page.
 * A page continues strictly after that row, so rows written meanwhile never shift a page
 * (nothing skipped or repeated, unlike OFFSET). Two shapes: (created_at, id) for lists
 * newest first, and a sequence number (an identity column) for append-only journals.
 */
export interface TimeKey {
  /** created_at as PostgreSQL text (`created_at::text`): microseconds kept, unlike a JS Date. */
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PG_TIMESTAMP = /^\d{4}-\d\d-\d\d [\d:.]+[+-]\d\d(:\d\d)?$/;
const SEQUENCE = /^[1-9]\d{0,18}$/;

const encode = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
const invalidCursor = () => invalidField('cursor', 'invalid_cursor', 'cursor is not valid');

function decode(text: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw invalidCursor();
}

export const encodeTimeCursor = (key: TimeKey): string => encode(['t', key.createdAt, key.id]);

/** @throws `validation_failed` (400, field `cursor`, code `invalid_cursor`) for anything we did not issue. */
export function decodeTimeCursor(text: string): TimeKey {
  const [tag, createdAt, id, ...rest] = decode(text);
  if (
    tag !== 't' ||
    rest.length > 0 ||
    typeof createdAt !== 'string' ||
    !PG_TIMESTAMP.test(createdAt) ||
    typeof id !== 'string' ||
    !UUID.test(id)
  ) {
    throw invalidCursor();
  }
  return { createdAt, id };
}

export const encodeSequenceCursor = (sequence: bigint): string => encode(['s', sequence.toString()]);

/** @throws `validation_failed` (400, field `cursor`, code `invalid_cursor`) for anything we did not issue. */
export function decodeSequenceCursor(text: string): bigint {
  const [tag, sequence, ...rest] = decode(text);
  if (tag !== 's' || rest.length > 0 || typeof sequence !== 'string' || !SEQUENCE.test(sequence)) {
    throw invalidCursor();
  }
  return BigInt(sequence);
}

/**
 * One page out of `limit + 1` rows read: the extra row only says whether there is more,
 * and the cursor points after the last row shown.
 */
export function pageOf<Row, Item>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => string,
): { items: Item[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}

/** `LIKE` text matching `text` literally (its %, _ and \ escaped), for the default escape `\`. */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
