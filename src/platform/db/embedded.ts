import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import { removeOthersAccess } from '../fs/data-dir.js';
import { type Database, pgliteDatabase } from './database.js';
import { embeddedTemplate, pgliteOptions } from './embedded-template.js';
import { compiledPgliteWasm } from './pglite-wasm.js';
import { withStartupTiering } from './wasm-tiering.js';
import { unpackDataDir } from './data-dir-archive.js';

export { pgliteOptions };

export class DatabaseBusyError extends Error {
  constructor(readonly pid: number) {
    super(`the embedded database is in use by process ${pid}`);
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * PGlite must be opened by one process at a time, so the directory is guarded by a pid
 * lock file. A lock left by a dead process is taken over.
 */
function takeLock(lockPath: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
        throw new DatabaseBusyError(pid);
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock ${lockPath}`);
}

/**
 * Unpacks the template beside `dir` and puts it in place in one rename, so a start stopped
 * halfway leaves no half-written database that the next start would take for a whole one.
 * `dir` must be empty (its PG_VERSION missing means no database is there).
 */
async function unpackTemplate(template: string, dir: string): Promise<void> {
  const unpacking = `${dir}.unpacking`;
  rmSync(unpacking, { recursive: true, force: true });
  try {
    await unpackDataDir(template, unpacking);
    rmdirSync(dir);
  } catch (error) {
    rmSync(unpacking, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw error;
    throw new Error(`${dir} holds files but no database (no PG_VERSION): empty it or move them away`);
  }
  renameSync(unpacking, dir);
}

export function embeddedPaths(dataDir: string) {
  return { dir: path.join(dataDir, 'db'), lock: path.join(dataDir, 'db.lock') };
}

export async function openEmbeddedDatabase(dataDir: string, logger: Logger): Promise<Database> {
  const paths = embeddedPaths(dataDir);
  // Owner-only, as everything under DATA_DIR: PGlite creates its files with the process's
  // umask (0666 under umask 0), and a directory nobody else may enter keeps them private.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const unlock = takeLock(paths.lock);
  try {
    const created = !existsSync(path.join(paths.dir, 'PG_VERSION'));
    if (created) {
      const template = embeddedTemplate();
      logger.info(
        template
          ? `creating the embedded database in ${paths.dir} from the prepared template`
          : `creating the embedded database in ${paths.dir} (no prepared template: \`npm run build\` makes one); this takes several seconds`,
      );
      if (template) await unpackTemplate(template, paths.dir);
    }
    const pgliteWasmModule = await compiledPgliteWasm();
    const pglite = await withStartupTiering(() =>
      PGlite.create(paths.dir, pgliteWasmModule ? { ...pgliteOptions, pgliteWasmModule } : pgliteOptions),
    );
    // PGlite chmods the files of a database it creates 0666 whatever the umask: a new one is
    // tightened before anything else runs. One opened again is swept too (it may predate
    // this check), beside the server's start: its directory, 0700, keeps its files private.
    let sweep: Promise<void> = Promise.resolve();
    if (created) await removeOthersAccess(paths.dir);
    else
      sweep = removeOthersAccess(paths.dir).catch((error: unknown) =>
        logger.warn({ err: error }, `could not take others' access off ${paths.dir}`),
      );
    return pgliteDatabase(pglite, async () => {
      await sweep;
      if (!pglite.closed) await pglite.close();
      unlock();
    });
  } catch (error) {
    unlock();
    throw error;
  }
}
