import type { PGlite } from '@electric-sql/pglite';
import { Kysely, type Transaction } from 'kysely';
import { pgliteDialect } from './pglite-driver.js';
import { CommitWatch, CommitWatchDriver } from './commit-watch.js';
import { SerialDriver } from './serial-driver.js';
import { traceQuery } from '../tracing/sql.js';

/** A raw session for work Kysely cannot express: multi-statement migration scripts. */
export interface ScriptSession {
  exec(script: string): Promise<void>;
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
}

/** What a listener does with `NOTIFY`s on its channel. */
export interface ListenHandlers {
  onNotify(payload: string): void;
  /** Listening (again): notifications sent while nobody listened are lost, so look now. */
  onListening?(): void;
  /** The listening connection failed; it is being opened again. */
  onLost?(error: Error): void;
}

export interface Listening {
  /** The listening session's backend (PostgreSQL), undefined while reconnecting or embedded. */
  readonly backendPid: number | undefined;
  close(): Promise<void>;
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
  /** `LISTEN` on a channel: `NOTIFY`s sent by transactions that commit, from any session. */
  listen?(channel: string, handlers: ListenHandlers): Promise<Listening>;
  /**
   * Runs `hook` after each commit (in this process) of a transaction that inserted into
   * `table` through Kysely's insertInto; returns the unsubscribe. See commit-watch.ts.
   */
  afterCommit?(table: string, hook: () => void): () => void;
  /**
   * A handle on a small pool of its own (PostgreSQL) for the work behind the requests: the
   * outbox relay, the event consumers, the delivery loops. A burst of requests fills the
   * request pool's queue; without its own connections that work would wait behind every
   * request in it and fall ever further behind while the burst lasts. It shares the commit
   * watch (afterCommit). Absent when there is one pool (or one session, embedded): use `db`.
   */
  readonly background?: Kysely<object>;
  /** The connection pool's state, for the metrics (PostgreSQL; the embedded database has none). */
  poolStats?(): PoolStats;
  /** The background pool's state, when there is one. */
  backgroundPoolStats?(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  inUse: number;
  idle: number;
  waiting: number;
}

export type AnyTransaction = Transaction<object>;

/** Where the background work runs: its own pool when the database has one, else the only one. */
export const backgroundOf = (database: Database): Kysely<object> => database.background ?? database.db;

/**
 * Whether requests are waiting for a connection of the request pool: the request path is
 * saturated, and work that can wait a moment (mail, push, password hashes) gives way.
 * Never true on the embedded database, which has no pool.
 */
export const requestsWaiting = (database: Pick<Database, 'poolStats'>) => (): boolean =>
  (database.poolStats?.().waiting ?? 0) > 0;

/** Narrows the shared handle (or a transaction) to one module's tables. */
export function tablesOf<T>(db: Kysely<object>): Kysely<T> {
  return db as unknown as Kysely<T>;
}

export function pgliteDatabase(pglite: PGlite, onClose: () => Promise<void> = async () => {}): Database {
  const base = pgliteDialect(pglite);
  const driver = new SerialDriver(base.createDriver());
  const commits = new CommitWatch();
  const db = new Kysely<object>({
    dialect: {
      createAdapter: () => base.createAdapter(),
      createDriver: () => new CommitWatchDriver(driver, commits),
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
    afterCommit: (table, hook) => commits.on(table, hook),
    // PGlite is one session: it hears its own NOTIFYs, at commit. LISTEN goes through the
    // driver's lock so that it never runs inside another caller's transaction.
    async listen(channel, handlers) {
      const unlisten = await driver.exclusive(() => pglite.listen(channel, handlers.onNotify));
      handlers.onListening?.();
      return {
        backendPid: undefined,
        close: async () => {
          if (!pglite.closed) await driver.exclusive(() => unlisten()).catch(() => {});
        },
      };
    },
    async close() {
      await db.destroy();
      await onClose();
    },
  };
}
