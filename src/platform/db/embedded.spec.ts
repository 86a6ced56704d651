import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedPaths, openEmbeddedDatabase } from './embedded.js';
import { compiledPgliteWasm, startCompilingPgliteWasm } from './pglite-wasm.js';
import { withStartupTiering } from './wasm-tiering.js';

const logger = pino({ level: 'silent' });
const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const answer = async () => {
  const database = await openEmbeddedDatabase(dataDir, logger);
  try {
    const { rows } = await sql<{ n: number }>`SELECT 41 + 1 AS n`.execute(database.db);
    return rows[0]?.n;
  } finally {
    await database.close();
  }
};

describe('the embedded database', () => {
  it('opens with PGlite’s WebAssembly compiled ahead, as `mamlaka start` does', async () => {
    startCompilingPgliteWasm();
    const compiled = await compiledPgliteWasm();
    // A compiled module, not the file's bytes: PGlite instantiates it as it is.
    expect(Object.prototype.toString.call(compiled)).toBe('[object WebAssembly.Module]');
    expect(await answer()).toBe(42);
  });

  it('takes others’ access off the files of a database opened again, by the time it closes', async () => {
    const { dir } = embeddedPaths(dataDir);
    chmodSync(path.join(dir, 'PG_VERSION'), 0o666);
    chmodSync(path.join(dir, 'base'), 0o777);
    expect(await answer()).toBe(42);
    expect(statSync(path.join(dir, 'PG_VERSION')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'base')).mode & 0o777).toBe(0o700);
  });
});

describe('a new embedded database', () => {
  it('refuses a database directory that holds files but no database, and leaves them', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'mamlaka-embedded-'));
    try {
      const { dir } = embeddedPaths(elsewhere);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'stray'), 'kept');
      await expect(openEmbeddedDatabase(elsewhere, logger)).rejects.toThrow(/holds files but no database/);
      expect(readdirSync(dir)).toEqual(['stray']);
      expect(existsSync(`${dir}.unpacking`)).toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('withStartupTiering', () => {
  it('answers what it wraps, and its failure', async () => {
    await expect(withStartupTiering(async () => 'made')).resolves.toBe('made');
    await expect(
      withStartupTiering(async () => {
        throw new Error('no instance');
      }),
    ).rejects.toThrow('no instance');
  });
});
