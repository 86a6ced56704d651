import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that a reader (or a crash) never sees half of it: a temp file in the
 * same directory, flushed, then renamed over the name in one step, and the directory
 * flushed so the new name survives a crash too (as PostgreSQL and SQLite flush a directory
 * after creating a file in it). The temp name starts with a dot and ends in `.tmp`, so
 * listings by extension and key checks skip it. Owner-only (0600) whatever the umask: these
 * are mail, images and keys under DATA_DIR, which only the platform's own user reads.
 */
export async function writeFileAtomically(file: string, bytes: Uint8Array | string): Promise<void> {
  const directory = path.dirname(file);
  const temp = path.join(directory, `.${path.basename(file)}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/** Per directory: the flush running now (settled never rejects), and the one queued behind it. */
interface Flushes {
  settled: Promise<void>;
  queued?: Promise<void>;
}
const flushes = new Map<string, Flushes>();
let directoryFlushes = 0;

/** Directory flushes run so far, in this process: how a test sees that writers share them. */
export const directoryFlushCount = (): number => directoryFlushes;

/**
 * Flushes `directory`'s entries to disk, after every rename made in it before this call. Many
 * writers at once share flushes, as commits share a WAL flush: a flush that started before
 * a caller's rename does not cover it, so the caller joins the one queued behind it, and
 * every caller waiting then is covered by that one.
 */
function syncDirectory(directory: string): Promise<void> {
  const current = flushes.get(directory);
  if (!current) return startFlush(directory);
  current.queued ??= current.settled.then(() => startFlush(directory));
  return current.queued;
}

function startFlush(directory: string): Promise<void> {
  const flush = flushDirectory(directory);
  const state: Flushes = { settled: flush.catch(() => {}) };
  flushes.set(directory, state);
  void state.settled.then(() => {
    // With a flush queued, that one takes the directory's entry over when it starts.
    if (!state.queued && flushes.get(directory) === state) flushes.delete(directory);
  });
  return flush;
}

async function flushDirectory(directory: string): Promise<void> {
  directoryFlushes += 1;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some systems cannot flush a directory (EISDIR, EINVAL on a few file systems); the
    // file itself is flushed, and there nothing more can be done.
    if (!['EISDIR', 'EINVAL', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
