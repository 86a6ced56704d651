import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from '../fs/atomic-write.js';
import {
  assertValidObjectKey,
  assertValidPut,
  contentTypeForKey,
  type ObjectStorage,
  type StoredObject,
} from './object-storage.js';

const isMissingFile = (error: unknown): boolean =>
  error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Objects as files under `<dataDir>/uploads/<key>`, served by the app itself. */
export class LocalDiskStorage implements ObjectStorage {
  readonly kind = 'local' as const;
  private readonly root: string;
  private readonly publicUrl: string;

  constructor(dataDir: string, publicUrl: string) {
    this.root = path.join(dataDir, 'uploads');
    this.publicUrl = publicUrl.replace(/\/+$/, '');
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<StoredObject> {
    assertValidPut(key, contentType);
    const file = this.fileFor(key);
    const dir = path.dirname(file);
    // Owner-only: the app serves these files itself, nobody else needs to read them.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // The temp name (leading dot, `.tmp`) fails isValidObjectKey, so it is never served.
    await writeFileAtomically(file, bytes);
    return { key, url: this.urlFor(key) };
  }

  async delete(key: string): Promise<void> {
    assertValidObjectKey(key);
    await rm(this.fileFor(key), { force: true });
  }

  urlFor(key: string): string {
    assertValidObjectKey(key);
    return `${this.publicUrl}/uploads/${key}`;
  }

  async get(key: string): Promise<{ bytes: Buffer; contentType: string } | undefined> {
    assertValidObjectKey(key);
    try {
      return { bytes: await readFile(this.fileFor(key)), contentType: contentTypeForKey(key) };
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
  }

  /** Only for keys already checked: the key's shape is what keeps this inside the root. */
  private fileFor(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }
}
