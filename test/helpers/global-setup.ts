import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { buildEmbeddedTemplate } from '../../src/platform/db/embedded-template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshotPath: string;
  }
}

// Every project that runs integration suites (pglite, postgres, split, the browser ones)
// uses the same template. The global setup module may be loaded once per project, so the
// one build of the run lives on globalThis (as test/helpers/browser-setup.ts shares its browser).
const key = Symbol.for('mamlaka.pglite-snapshot');
const shared = globalThis as unknown as Record<symbol, Promise<string> | undefined>;

async function buildSnapshot(): Promise<string> {
  // The same template a new embedded database starts from, built from these sources.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mamlaka-snapshot-')), 'db.tar.gz');
  await buildEmbeddedTemplate(file);
  return file;
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
  shared[key] ??= buildSnapshot();
  project.provide('pgliteSnapshotPath', await shared[key]);
}
