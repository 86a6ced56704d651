import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { pgliteDatabase } from '../../src/platform/db/database.js';
import { pgliteOptions } from '../../src/platform/db/embedded.js';
import { migrate } from '../../src/platform/db/migrations.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshotPath: string;
  }
}

/**
 * Creating a PGlite database costs seconds, so it is done once per run: a migrated
 * database is dumped to a file and every test file restores its own copy from it.
 * For PostgreSQL, the server is checked up front so that a dead server fails loudly.
 */
export default async function setup(project: TestProject) {
  if (process.env.MAMLAKA_TEST_DB === 'postgres') {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  }
  const pglite = await PGlite.create(pgliteOptions);
  await migrate(pgliteDatabase(pglite));
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mamlaka-snapshot-')), 'db.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteSnapshotPath', file);
}
