import { type Kysely, type RawBuilder, sql } from 'kysely';

/**
 * Seconds from the `since` column of the query's first row to the database's clock (not
 * ours: no skew between the two), 0 when the query returns no row.
 */
export async function secondsSince(db: Kysely<object>, query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await sql<{
    age: number | null;
  }>`SELECT extract(epoch FROM now() - q.since)::float8 AS age FROM (${query}) q`.execute(db);
  return Math.max(0, rows[0]?.age ?? 0);
}
