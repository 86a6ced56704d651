import { type Kysely, sql } from 'kysely';

/**
 * Retention for a queue table (id, status, created_at): deletes the rows finished before
 * `cutoff`, a batch at a time so no statement holds many locks or a long transaction. Rows
 * still 'pending' stay whatever their age: they are still owed. The caller names its own
 * table. @returns how many rows were deleted
 */
export async function deleteFinishedBefore(
  db: Kysely<object>,
  table: string,
  cutoff: Date,
  batch = 1_000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql`
      DELETE FROM ${sql.table(table)} WHERE id IN (
        SELECT id FROM ${sql.table(table)}
        WHERE status <> 'pending' AND created_at < ${cutoff}
        LIMIT ${batch})`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < batch) return total;
  }
}
