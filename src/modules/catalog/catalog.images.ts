import type { Logger } from 'pino';
import { invalidField, unavailable } from '../../platform/errors.js';
import {
  IMAGE_MAX_INPUT_PIXELS,
  type EncodedImage,
  prepareImage,
} from '../../platform/storage/image-processing.js';
import { detectImageType } from '../../platform/storage/image-type.js';
import { newObjectKey, type ObjectStorage } from '../../platform/storage/object-storage.js';
import type { ProductRow } from './catalog.tables.js';

export interface ImageUpload {
  /** The form field it came in (`image` or the seed's `image_url`), for error messages. */
  field: string;
  bytes: Buffer;
}

export type ImageKeys = Pick<ProductRow, 'image_key' | 'thumbnail_key'>;

/**
 * Product pictures: what a seller uploads is checked, decoded and stored again as a WebP
 * image and a thumbnail (see prepareImage), never as the bytes that were sent.
 */
export class ProductImages {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly maxBytes: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Re-encodes the image (if any) and stores it with its thumbnail, runs `write` with their
   * keys, and removes both if `write` fails (or if only one could be stored).
   * @throws `image_too_large`, `unsupported_image`, `invalid_image` (400), `storage_unavailable` (503)
   */
  async withStored<T>(image: ImageUpload | undefined, write: (keys: ImageKeys | null) => Promise<T>) {
    if (!image) return write(null);
    const { original, thumbnail } = await this.prepare(image);
    const imageKey = newObjectKey('products', 'webp');
    // The thumbnail's key is the image's with a suffix, so the two sort together.
    const keys = { image_key: imageKey, thumbnail_key: imageKey.replace(/\.webp$/, '-thumb.webp') };
    try {
      await this.storage.put(keys.image_key, original.bytes, 'image/webp');
      await this.storage.put(keys.thumbnail_key, thumbnail.bytes, 'image/webp');
    } catch (error) {
      this.logger.error({ err: error }, 'could not store a product image');
      await this.remove(keys);
      throw unavailable('storage_unavailable', 'image storage is unavailable; try again later');
    }
    try {
      return await write(keys);
    } catch (error) {
      await this.remove(keys);
      throw error;
    }
  }

  /** Removes a product's objects; a failure is logged, since the product change has happened. */
  async remove(keys: ImageKeys): Promise<void> {
    for (const key of [keys.image_key, keys.thumbnail_key]) {
      if (!key) continue;
      try {
        await this.storage.delete(key);
      } catch (error) {
        // An unreferenced object wastes space, nothing more.
        this.logger.warn({ err: error, key }, 'could not remove a product image');
      }
    }
  }

  urlFor(key: string): string {
    return this.storage.urlFor(key);
  }

  /**
   * The size and the magic bytes first (cheap, and only JPEG, PNG and WebP reach the
   * decoder), then a full decode: a file that merely starts like an image is refused.
   */
  private async prepare(image: ImageUpload): Promise<{ original: EncodedImage; thumbnail: EncodedImage }> {
    if (image.bytes.length > this.maxBytes) {
      throw invalidField(
        image.field,
        'image_too_large',
        `${image.field} is larger than ${this.maxBytes} bytes`,
      );
    }
    if (!detectImageType(image.bytes)) {
      throw invalidField(
        image.field,
        'unsupported_image',
        `${image.field} must be a JPEG, PNG or WebP image`,
      );
    }
    const prepared = await prepareImage(image.bytes);
    if (prepared.ok) return prepared;
    if (prepared.reason === 'too_many_pixels') {
      throw invalidField(
        image.field,
        'image_too_large',
        `${image.field} has more than ${IMAGE_MAX_INPUT_PIXELS} pixels`,
      );
    }
    throw invalidField(image.field, 'invalid_image', `${image.field} could not be read as an image`);
  }
}
