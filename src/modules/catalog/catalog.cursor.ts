/**
 * Keyset pagination cursors: the sort key and id of the last row of a page, opaque to
 * clients. A page continues strictly after that row, so rows inserted meanwhile never
 * shift a page (nothing is skipped or repeated, unlike OFFSET).
 */
export type ProductSort = 'newest' | 'price_asc' | 'price_desc';

export interface Cursor {
  sort: ProductSort;
  /** created_at as PostgreSQL text (microseconds kept), or price_minor as a decimal string. */
  key: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SORTS: readonly ProductSort[] = ['newest', 'price_asc', 'price_desc'];

export const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString('base64url');

/** Undefined for anything that is not a cursor we issued for this sort. */
export function decodeCursor(text: string, sort: ProductSort): Cursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
    const [cursorSort, key, id] = parsed as [unknown, unknown, unknown];
    if (cursorSort !== sort || !SORTS.includes(sort)) return undefined;
    if (typeof key !== 'string' || typeof id !== 'string' || !UUID.test(id)) return undefined;
    if (
      sort === 'newest' ? !/^\d{4}-\d\d-\d\d [\d:.]+[+-]\d\d(:\d\d)?$/.test(key) : !/^\d{1,16}$/.test(key)
    ) {
      return undefined;
    }
    return { sort, key, id };
  } catch {
    return undefined;
  }
}

/**
 * Turns free text into a prefix-matching tsquery for the 'simple' configuration: every
 * word must match the start of a word in the name or description. Only letters and digits
 * reach the query, so it cannot be malformed. Undefined when no word is left.
 */
export function searchQuery(text: string): string | undefined {
  const words =
    text
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, 8) ?? [];
  if (words.length === 0) return undefined;
  return words.map((word) => `${word.slice(0, 50)}:*`).join(' & ');
}
