import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { PACKAGE_ROOT } from '../fs/package-root.js';
import { pgliteDatabase } from './database.js';
import { migrate } from './migrations.js';

/**
 * A new embedded database is a copy of a prepared one: `initdb` and every migration run
 * once, at build time, and their result is dumped here. Unpacking the dump
 * (data-dir-archive.ts) takes a fraction of a second where creating a database takes
 * several; migrations added after the build are applied on top at start, as on any database.
 */

export const TEMPLATE_FILE = path.join(PACKAGE_ROOT, 'dist', 'embedded-template.tar.gz');
const MANIFEST_FILE = `${TEMPLATE_FILE}.json`;

/**
 * PGlite options shared by every embedded instance: int8 as bigint, like the pg driver, and
 * 16 MB of shared buffers instead of PostgreSQL's 128 MB. Those live in WebAssembly memory
 * that is never given back, and a laptop's database is small, with the operating system's
 * file cache under it: the server's idle memory drops by about 100 MB.
 */
export const pgliteOptions: PGliteOptions = {
  parsers: { 20: (value: string) => BigInt(value) },
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
};

/** A dump is only readable by the PGlite (PostgreSQL build) that wrote it. */
function pgliteVersion(): string {
  // The package does not export its package.json; find it above its entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export async function buildEmbeddedTemplate(file = TEMPLATE_FILE): Promise<void> {
  const pglite = await PGlite.create(pgliteOptions);
  try {
    await migrate(pgliteDatabase(pglite));
    // A dump of a running database opens as one after a crash: PostgreSQL replays the WAL
    // since the last checkpoint (the migrations', some 3 MB and 0.2 s) on every first start.
    await pglite.exec('CHECKPOINT');
    const dump = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
    writeFileSync(`${file}.tmp`, dump);
    renameSync(`${file}.tmp`, file);
    writeFileSync(`${file}.json`, `${JSON.stringify({ pglite: pgliteVersion() })}\n`);
  } finally {
    await pglite.close();
  }
}

/** The prepared database's file, or undefined when there is none for the installed PGlite. */
export function embeddedTemplate(): string | undefined {
  if (!existsSync(TEMPLATE_FILE) || !existsSync(MANIFEST_FILE)) return undefined;
  const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as { pglite?: string };
  return manifest.pglite === pgliteVersion() ? TEMPLATE_FILE : undefined;
}
