import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../fs/package-root.js';
import type { Database, ScriptSession } from './database.js';

export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'migrations');

// Any constant works; it only has to be the same in every process migrating this database.
const MIGRATION_LOCK_KEY = 7_357_001;

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

async function appliedMigrations(session: ScriptSession) {
  return session.query<{ version: string; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
}

/**
 * Applies every migration not yet applied, in one transaction under an advisory lock, so
 * two processes starting together apply each one exactly once and a failing migration
 * leaves nothing behind. A migration edited after it was applied stops start-up.
 */
export async function migrate(database: Database, files = readMigrations()): Promise<string[]> {
  return database.script(async (session) => {
    await session.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await session.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Map((await appliedMigrations(session)).map((row) => [row.version, row.checksum]));
    const done: string[] = [];
    for (const file of files) {
      const checksum = applied.get(file.version);
      if (checksum !== undefined) {
        if (checksum !== file.checksum) {
          throw new Error(
            `migration ${file.name} was changed after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      await session.exec(file.sql);
      await session.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        file.version,
        file.name,
        file.checksum,
      ]);
      done.push(file.name);
    }
    return done;
  });
}

/** Names of migrations in the repository that the database has not applied (for /ready). */
export async function pendingMigrations(database: Database, files = readMigrations()): Promise<string[]> {
  const rows = await database.script(async (session) => {
    const exists = await session.query<{ present: boolean }>(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    );
    return exists[0]?.present ? appliedMigrations(session) : [];
  });
  const applied = new Set(rows.map((row) => row.version));
  return files.filter((file) => !applied.has(file.version)).map((file) => file.name);
}
