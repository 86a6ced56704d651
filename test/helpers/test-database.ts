import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, pgliteDatabase } from '../../src/platform/db/database.js';
import { postgresDatabase } from '../../src/platform/db/postgres-database.js';
import { pgliteOptions } from '../../src/platform/db/embedded.js';
import { migrate } from '../../src/platform/db/migrations.js';
import { serviceUrl, testDatabase } from './services.js';

export interface TestDatabase {
  database: Database;
  /** A DATABASE_URL pointing at this test's schema, for child processes (CLI tests). */
  url?: string;
  schema?: string;
  drop(): Promise<void>;
}

/** A PostgreSQL URL whose connections use `schema` (pg honours the `options` parameter). */
export const urlWithSchema = (url: string, schema: string) => {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
};

/**
 * A fresh, migrated database for one test file: a restored copy of the PGlite snapshot,
 * or a new schema on the real PostgreSQL, dropped afterwards.
 */
export async function createTestDatabase(
  options: { backgroundConnections?: number } = {},
): Promise<TestDatabase> {
  if (testDatabase() === 'postgres') {
    const url = serviceUrl('TEST_DATABASE_URL')!;
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    // With a background pool, as the platform opens it by default (DATABASE_BACKGROUND_POOL_SIZE).
    const database = postgresDatabase(url, {
      searchPath: schema,
      backgroundConnections: options.backgroundConnections ?? 2,
    });
    await migrate(database);
    return {
      database,
      url: urlWithSchema(url, schema),
      schema,
      async drop() {
        await database.close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.end();
      },
    };
  }
  const snapshot = new Blob([readFileSync(inject('pgliteSnapshotPath'))]);
  const pglite = await PGlite.create({ ...pgliteOptions, loadDataDir: snapshot });
  const database = pgliteDatabase(pglite, async () => {
    if (!pglite.closed) await pglite.close();
  });
  await migrate(database);
  return { database, drop: () => database.close() };
}
