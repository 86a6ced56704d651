import { type Actor, authorize } from '../../platform/auth/policy.js';
import { conflict, notFound, unprocessable } from '../../platform/errors.js';
import type { GalleryRepository, StoredKeys } from './catalog.gallery.repository.js';
import { isPermutation, MAX_GALLERY_IMAGES } from './catalog.gallery.rules.js';
import type { ImageUpload, ProductImages } from './catalog.images.js';
import type { ProductImageRow } from './catalog.tables.js';

export interface PublicProductImage {
  id: string;
  image_url: string;
  thumbnail_url: string | null;
  position: number;
  created_at: string;
}

const keysOf = (row: ProductImageRow | undefined): StoredKeys | null =>
  row ? { image_key: row.image_key, thumbnail_key: row.thumbnail_key } : null;

/**
 * A product's ordered gallery. Its first image is also the product's own image_url and
 * thumbnail_url, kept on the product row in the same transaction as every gallery change,
 * so single-image clients and cached product reads always show the gallery's cover.
 */
export class ProductGallery {
  constructor(
    private readonly repo: GalleryRepository,
    private readonly images: ProductImages,
    private readonly productChanged: (productId: string) => Promise<void>,
  ) {}

  /** The live product's images in order (anyone). @throws `product_not_found` (404) */
  async list(productId: string): Promise<PublicProductImage[]> {
    if (!(await this.repo.product(productId))) throw notFound('product');
    return (await this.repo.images(productId)).map((row) => this.present(row));
  }

  /**
   * Appends an image (checked, re-encoded and stored with a thumbnail as the single image
   * is); the objects are removed again if the row cannot be written.
   * @throws `product_not_found` (404), `too_many_images` (409), `image_too_large`,
   * `unsupported_image`, `invalid_image` (400), `storage_unavailable` (503)
   */
  async add(actor: Actor | undefined, productId: string, upload: ImageUpload): Promise<PublicProductImage> {
    await this.owned(actor, productId);
    // Checked before the image is decoded too, to spare the work for a full gallery.
    await this.refuseIfFull(this.repo, productId);
    const row = await this.images.withStored(upload, (keys) =>
      this.repo.transaction(async (repo) => {
        if (!(await repo.product(productId, true))) throw notFound('product');
        const count = await this.refuseIfFull(repo, productId);
        const stored = { image_key: keys!.image_key!, thumbnail_key: keys!.thumbnail_key };
        const inserted = await repo.insert(productId, stored, count);
        if (count === 0) await repo.setCover(productId, stored);
        return inserted;
      }),
    );
    await this.productChanged(productId);
    return this.present(row);
  }

  /**
   * Puts the gallery in the order given; the first becomes the product's cover.
   * @throws `product_not_found` (404), `invalid_image_order` (422: not a permutation of the gallery)
   */
  async reorder(
    actor: Actor | undefined,
    productId: string,
    imageIds: readonly string[],
  ): Promise<PublicProductImage[]> {
    await this.owned(actor, productId);
    const rows = await this.repo.transaction(async (repo) => {
      if (!(await repo.product(productId, true))) throw notFound('product');
      const current = await repo.images(productId);
      if (
        !isPermutation(
          current.map((row) => row.id),
          imageIds,
        )
      ) {
        throw unprocessable(
          'invalid_image_order',
          "image_ids must name each of the product's images exactly once",
        );
      }
      await repo.reorder(imageIds);
      if (current[0]?.id !== imageIds[0]) {
        await repo.setCover(productId, keysOf(current.find((row) => row.id === imageIds[0])));
      }
      return repo.images(productId);
    });
    await this.productChanged(productId);
    return rows.map((row) => this.present(row));
  }

  /**
   * Removes one image and closes the gap; removing the first makes the next the cover.
   * @throws `product_not_found`, `image_not_found` (404)
   */
  async remove(actor: Actor | undefined, productId: string, imageId: string): Promise<void> {
    await this.owned(actor, productId);
    const removed = await this.repo.transaction(async (repo) => {
      if (!(await repo.product(productId, true))) throw notFound('product');
      const current = await repo.images(productId);
      const target = current.find((row) => row.id === imageId);
      if (!target) throw notFound('image');
      await repo.delete(imageId);
      const rest = current.filter((row) => row.id !== imageId);
      await repo.reorder(rest.map((row) => row.id));
      if (current[0]?.id === imageId) await repo.setCover(productId, keysOf(rest[0]));
      return target;
    });
    await this.images.remove(removed);
    await this.productChanged(productId);
  }

  private async refuseIfFull(repo: GalleryRepository, productId: string): Promise<number> {
    const count = (await repo.images(productId)).length;
    if (count >= MAX_GALLERY_IMAGES) {
      throw conflict('too_many_images', `a product has at most ${MAX_GALLERY_IMAGES} images`);
    }
    return count;
  }

  /** Only the product's seller or an admin; anyone else is told it does not exist. */
  private async owned(actor: Actor | undefined, productId: string): Promise<void> {
    const me = authorize(actor, { roles: ['seller', 'admin'] });
    const product = await this.repo.product(productId);
    if (!product) throw notFound('product');
    authorize(me, { object: { kind: 'product', ownerIds: [product.seller_id] } });
  }

  private present(row: ProductImageRow): PublicProductImage {
    return {
      id: row.id,
      image_url: this.images.urlFor(row.image_key),
      thumbnail_url: row.thumbnail_key ? this.images.urlFor(row.thumbnail_key) : null,
      position: row.position,
      created_at: row.created_at.toISOString(),
    };
  }
}
