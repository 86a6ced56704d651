import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { pgliteDialect } from './pglite-driver.js';
import { SerialDriver } from './serial-driver.js';

/** A raw session for work Kysely cannot express: multi-statement migration scripts. */
export interface ScriptSession {
  exec(script: string): Promise<void>;
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The database handle every module receives. `db` is deliberately untyped here: each
 * module narrows it to its own tables (see `tablesOf`), so no module can name another
 * module's table without the type checker noticing.
 */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Kysely<object>;
  /** Runs `fn` in one transaction on a raw session (used by the migrations runner). */
  script<T>(fn: (session: ScriptSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type AnyTransaction = Transaction<object>;

/** Narrows the shared handle (or a transaction) to one module's tables. */
export function tablesOf<T>(db: Kysely<object>): Kysely<T> {
  return db as unknown as Kysely<T>;
}

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

export function pgliteDatabase(pglite: PGlite, onClose: () => Promise<void> = async () => {}): Database {
  const base = pgliteDialect(pglite);
  const driver = new SerialDriver(base.createDriver());
  const db = new Kysely<object>({
    dialect: {
      createAdapter: () => base.createAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => base.createIntrospector(k),
      createQueryCompiler: () => base.createQueryCompiler(),
    },
  });
  return {
    kind: 'pglite',
    db,
    script: (fn) =>
      driver.exclusive(() =>
        pglite.transaction(async (tx) =>
          fn({
            exec: async (text) => {
              await tx.exec(text);
            },
            query: async <T>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows,
          }),
        ),
      ),
    async close() {
      await db.destroy();
      await onClose();
    },
  };
}
