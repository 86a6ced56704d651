import type { PGlite } from '@electric-sql/pglite';
import { Kysely, type Transaction } from 'kysely';
import { pgliteDialect } from './pglite-driver.js';
import { SerialDriver } from './serial-driver.js';
import { traceQuery } from '../tracing/sql.js';

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
  /** The connection pool's state, for the metrics (PostgreSQL; the embedded database has none). */
  poolStats?(): { inUse: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export type AnyTransaction = Transaction<object>;

/** Narrows the shared handle (or a transaction) to one module's tables. */
export function tablesOf<T>(db: Kysely<object>): Kysely<T> {
  return db as unknown as Kysely<T>;
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
    log: traceQuery,
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
