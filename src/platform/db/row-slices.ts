/**
 * Rows one multi-row INSERT carries at most. PostgreSQL takes at most 65,535 parameters per
 * statement; at this many rows that leaves room for 65 columns a row. Consumers handling
 * events in batches (and an announcement to every user) write more rows than that.
 */
export const ROWS_PER_INSERT = 1_000;

/** `rows` in consecutive slices of at most ROWS_PER_INSERT. */
export function* rowSlices<T>(rows: readonly T[]): Generator<readonly T[]> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT)
    yield rows.slice(start, start + ROWS_PER_INSERT);
}
