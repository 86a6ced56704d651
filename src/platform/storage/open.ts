import { LocalDiskStorage } from './local-disk.storage.js';
import type { ObjectStorage } from './object-storage.js';
import type { S3StorageOptions } from './s3.storage.js';

export interface ObjectStorageOptions {
  dataDir: string;
  /** The app's own public URL, under which the local disk's `/uploads/` are served. */
  publicUrl: string;
  s3?: S3StorageOptions;
}

/** S3 when a bucket is configured, else files under the data directory. */
export async function openObjectStorage(options: ObjectStorageOptions): Promise<ObjectStorage> {
  if (!options.s3) return new LocalDiskStorage(options.dataDir, options.publicUrl);
  // The AWS SDK is loaded only where it is used: it adds memory and start-up time.
  const { S3Storage } = await import('./s3.storage.js');
  return new S3Storage(options.s3);
}
