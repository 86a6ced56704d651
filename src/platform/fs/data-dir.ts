import { chmodSync, statSync } from 'node:fs';
import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../../config.js';

/** Group or others may read or write: what a private directory must not allow. */
const OPEN_TO_OTHERS = 0o066;

/**
 * DATA_DIR holds the embedded database, the generated signing key, mail with reset links
 * and the control socket: it must be its owner's alone. Everything the platform creates in
 * it is owner-only (the CLI sets umask 077, and the writers give explicit modes); this
 * checks the directory itself, which may predate us. A directory nobody else can enter
 * also hides whatever looser files an older version left inside it.
 *
 * A missing directory is left to be created (owner-only) by whatever needs it first.
 * @throws ConfigError in live mode when the directory is open to others: an operator's
 * decision that we should not silently override with real money at stake.
 */
export function secureDataDir(dataDir: string, mode: 'sandbox' | 'live', logger: Logger): void {
  let permissions: number;
  try {
    const stats = statSync(dataDir);
    if (!stats.isDirectory()) throw new ConfigError('DATA_DIR', `${dataDir} is not a directory`);
    permissions = stats.mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((permissions & OPEN_TO_OTHERS) === 0) return;
  const shown = permissions.toString(8).padStart(3, '0');
  if (mode === 'live') {
    throw new ConfigError(
      'DATA_DIR',
      `${dataDir} is readable or writable by other users (mode ${shown}); run chmod 700 ${dataDir}`,
    );
  }
  chmodSync(dataDir, 0o700);
  logger.warn(`DATA_DIR ${dataDir} was readable or writable by other users (mode ${shown}); now 700`);
}

/**
 * Takes group and other permissions off everything under `dir` (itself included), keeping
 * the owner's. For files made by code that sets modes explicitly rather than through the
 * umask: PGlite unpacks its initial database with chmod 0666. Symlinks are not followed.
 * One file at a time and without blocking, so it may run beside other work; an entry
 * removed meanwhile is skipped.
 */
export async function removeOthersAccess(dir: string): Promise<void> {
  try {
    const stats = await lstat(dir);
    if (stats.isSymbolicLink()) return;
    if (stats.mode & 0o077) await chmod(dir, stats.mode & 0o700);
    if (!stats.isDirectory()) return;
    for (const name of await readdir(dir)) await removeOthersAccess(path.join(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
