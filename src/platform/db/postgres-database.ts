import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';

// Apart from database.ts so that the pg driver is loaded only where PostgreSQL is used.

// int8 columns (money, counters) come back as bigint, never as a lossy number.
pg.types.setTypeParser(20, (value) => BigInt(value));

export function postgresDatabase(
  url: string,
  options: {
    searchPath?: string;
    maxConnections?: number;
    /** An idle connection failed (the server restarted, a proxy cut it): the pool replaces it. */
    onIdleError?: (error: Error) => void;
  } = {},
): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // Without a listener, an idle connection's error would be thrown and end the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    async script(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          // pg sends a parameterless query over the simple protocol, which allows many statements.
          exec: async (text) => {
            await client.query(text);
          },
          query: async <T>(text: string, params: unknown[] = []) =>
            (await client.query(text, params)).rows as T[],
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
      // Kysely only ends a pool it has used; the migrations runner may be the pool's only user.
      if (!pool.ended) await pool.end();
    },
  };
}
