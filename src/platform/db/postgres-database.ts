import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { coalesceWrites } from './coalesced-writes.js';
import { CommitWatch, CommitWatchDriver } from './commit-watch.js';
import type { Database } from './database.js';
import { dropHeldBegin, holdBegins } from './lazy-begin.js';
import { listenOnPostgres } from './postgres-listener.js';
import { DEFAULT_STATEMENT_CACHE, prepareRepeatedStatements } from './prepared-statements.js';
import { traceQuery } from '../tracing/sql.js';

// Apart from database.ts so that the pg driver is loaded only where PostgreSQL is used.

// int8 columns (money, counters) come back as bigint, never as a lossy number.
pg.types.setTypeParser(20, (value) => BigInt(value));

export function postgresDatabase(
  url: string,
  options: {
    searchPath?: string;
    maxConnections?: number;
    /** Connections of the background pool (see Database.background); 0: background work shares the pool. */
    backgroundConnections?: number;
    /** Parameterised statements each connection keeps prepared (prepared-statements.ts); 0: none. */
    statementCache?: number;
    /** An idle connection failed (the server restarted, a proxy cut it): the pool replaces it. */
    onIdleError?: (error: Error) => void;
  } = {},
): Database {
  const session = {
    connectionString: url,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  };
  const commits = new CommitWatch();
  const openPool = (max: number) => {
    // Pipeline mode: a BEGIN goes out with the statement after it (lazy-begin.ts).
    const pool = new pg.Pool({ ...session, max, pipeline: true });
    // Without a listener, an idle connection's error would be thrown and end the process.
    pool.on('error', (error) => options.onIdleError?.(error));
    // pg-pool listens for errors only while a connection is idle; one that ends while checked
    // out (a PostgreSQL restart, a cut network) emits 'error' on its client too, unheard, which
    // would end the process. The query in flight is rejected with that error, and reported there.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      prepareRepeatedStatements(client, { max: options.statementCache ?? DEFAULT_STATEMENT_CACHE });
      holdBegins(client);
      // Outermost, so that a held BEGIN and the statement behind it share one write.
      coalesceWrites(client);
    });
    pool.on('release', (_error, client) => dropHeldBegin(client));
    const base = new PostgresDialect({ pool });
    const db = new Kysely<object>({
      dialect: {
        createAdapter: () => base.createAdapter(),
        createDriver: () => new CommitWatchDriver(base.createDriver(), commits),
        createIntrospector: (k) => base.createIntrospector(k),
        createQueryCompiler: () => base.createQueryCompiler(),
      },
      log: traceQuery,
    });
    const stats = () => ({
      inUse: pool.totalCount - pool.idleCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    });
    const close = async () => {
      await db.destroy();
      // Kysely only ends a pool it has used; the migrations runner may be the pool's only user.
      if (!pool.ended) await pool.end();
    };
    return { pool, db, stats, close };
  };
  const requests = openPool(options.maxConnections ?? 10);
  const { pool, db } = requests;
  const background = options.backgroundConnections ? openPool(options.backgroundConnections) : undefined;
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
    listen: (channel, handlers) => listenOnPostgres(session, channel, handlers),
    afterCommit: (table, hook) => commits.on(table, hook),
    ...(background ? { background: background.db } : {}),
    poolStats: () => requests.stats(),
    ...(background ? { backgroundPoolStats: () => background.stats() } : {}),
    async close() {
      await requests.close();
      await background?.close();
    },
  };
}
