import { sql } from 'kysely';

// A checkout's stock decrements are sent ahead of its COMMIT (send-ahead.ts), so one that
// takes nothing cannot answer "no row": it raises, through require_stock_taken (migration
// 0036), SQLSTATE MK409 with the line's key as the detail.
const STOCK_NOT_TAKEN = 'MK409';

/**
 * The select-list item of a decrement written as `WITH taken AS (UPDATE … RETURNING id)`:
 * raises stock_not_taken naming `line` when `taken` is empty.
 */
export const requireTaken = (line: string) =>
  sql<boolean>`require_stock_taken(exists (select 1 from taken), ${line})`.as('ok');

/** The key of the line whose decrement took nothing, when `error` is that failure. */
export function lineNotTaken(error: unknown): string | undefined {
  const { code, detail } = (error ?? {}) as { code?: unknown; detail?: unknown };
  return code === STOCK_NOT_TAKEN && typeof detail === 'string' ? detail : undefined;
}
