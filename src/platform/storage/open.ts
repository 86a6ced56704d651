import { LocalDiskStorage } from './local-disk.storage.js';
import type { ObjectStorage } from './object-storage.js';
import { S3Storage, type S3StorageOptions } from './s3.storage.js';

export interface ObjectStorageOptions {
  dataDir: string;
  /** The app's own public URL, under which the local disk's `/uploads/` are served. */
  publicUrl: string;
  s3?: S3StorageOptions;
}

/** S3 when a bucket is configured, else files under the data directory. */
export function openObjectStorage(options: ObjectStorageOptions): ObjectStorage {
  return options.s3 ? new S3Storage(options.s3) : new LocalDiskStorage(options.dataDir, options.publicUrl);
}
