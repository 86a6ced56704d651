// The PostgreSQL side of the bench: which server to use, and a fresh database per run so
// that runs never accumulate rows (and never touch a developer's own data).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PostgresTarget {
  /** A URL of the server; only its host, port, user and password are used for the bench database. */
  url: string;
  /** Which variable named it. */
  source: 'DATABASE_URL' | 'BENCH_PG_URL';
}

/** DATABASE_URL first (as for the other scenarios), else BENCH_PG_URL; undefined without either. */
export function postgresTarget(env: NodeJS.ProcessEnv = process.env): PostgresTarget | undefined {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: 'DATABASE_URL' };
  if (env.BENCH_PG_URL) return { url: env.BENCH_PG_URL, source: 'BENCH_PG_URL' };
  return undefined;
}

export interface BenchDatabase {
  name: string;
  url: string;
  /** Drops the database (closing whatever is still connected to it). Safe to call twice. */
  drop(): Promise<void>;
}

/** The same server, user and options as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onServer<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `mamlaka_bench_<random>` on the server `serverUrl` names; the caller drops it. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `mamlaka_bench_${randomBytes(6).toString('hex')}`;
  // The name is ours (hex only), so it can be written into the statement as is.
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  return {
    name,
    url: withDatabase(serverUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Runs `fn` with a connection to `url`, closed afterwards. */
export function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  return onServer(url, fn);
}
