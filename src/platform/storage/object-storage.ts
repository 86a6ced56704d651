import { randomUUID } from 'node:crypto';
import { invalid } from '../errors.js';
import { IMAGE_CONTENT_TYPES, type ImageContentType, type ImageExtension } from './image-type.js';

export interface StoredObject {
  key: string;
  url: string;
}

/** Where product images live: the local disk in development, S3 (or compatible) in production. */
export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  /** Stores bytes under key (e.g. 'products/3f2a….webp'); overwrites nothing in practice (keys are random). */
  put(key: string, bytes: Buffer, contentType: string): Promise<StoredObject>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Public URL for a key. */
  urlFor(key: string): string;
  /** Reads an object back (bytes + content type), undefined when missing. Used by tests and the local-disk route. */
  get(key: string): Promise<{ bytes: Buffer; contentType: string } | undefined>;
}

export const newObjectKey = (prefix: string, extension: string) => `${prefix}/${randomUUID()}.${extension}`;

/**
 * One folder level, lower-case names, no dots but the extension's: nothing a key can
 * spell (`..`, `/abs`, `%2e`, a backslash) leaves the storage root or the bucket prefix.
 */
const OBJECT_KEY = /^[a-z0-9-]+\/[a-z0-9-]+\.(jpg|png|webp)$/;
const MAX_OBJECT_KEY_LENGTH = 200;

export const isValidObjectKey = (key: string): boolean =>
  key.length <= MAX_OBJECT_KEY_LENGTH && OBJECT_KEY.test(key);

/** Every storage method calls this first, so a bad key is refused before any I/O. */
export function assertValidObjectKey(key: string): void {
  if (!isValidObjectKey(key)) {
    throw invalid('invalid_object_key', `invalid object key: ${JSON.stringify(key)}`);
  }
}

/** The content type a key's extension stands for (the key must be valid). */
export const contentTypeForKey = (key: string): ImageContentType =>
  IMAGE_CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1) as ImageExtension];

/**
 * Checks put's arguments. The content type must match the extension: the local disk
 * derives it from the extension when serving, so both backends answer alike.
 */
export function assertValidPut(key: string, contentType: string): void {
  assertValidObjectKey(key);
  if (contentType !== contentTypeForKey(key)) {
    throw invalid('content_type_mismatch', `content type ${contentType} does not match key ${key}`);
  }
}
