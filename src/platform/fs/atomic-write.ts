import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that a reader (or a crash) never sees half of it: a temp file in the
 * same directory, flushed, then renamed over the name in one step. The temp name starts
 * with a dot and ends in `.tmp`, so listings by extension and key checks skip it.
 * Owner-only (0600) whatever the umask: these are mail, images and keys under DATA_DIR,
 * which only the platform's own user reads.
 */
export async function writeFileAtomically(file: string, bytes: Uint8Array | string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
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
}
