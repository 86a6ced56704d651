import type { Kysely, Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { CatalogTables, ProductImageRow } from './catalog.tables.js';

type Executor = Kysely<CatalogTables> | Transaction<CatalogTables>;

export interface StoredKeys {
  image_key: string;
  thumbnail_key: string | null;
}

/** SQL for products' galleries, and for the cover image kept on the product row. */
export class GalleryRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): GalleryRepository {
    return new GalleryRepository(tablesOf<CatalogTables>(db));
  }

  transaction<T>(work: (repo: GalleryRepository) => Promise<T>): Promise<T> {
    return (this.db as Kysely<CatalogTables>)
      .transaction()
      .execute((trx) => work(new GalleryRepository(trx)));
  }

  /** The live product's owner; with `lock`, its row is held so gallery changes run one at a time. */
  product(id: string, lock = false) {
    const query = this.db
      .selectFrom('products')
      .select(['id', 'seller_id'])
      .where('id', '=', id)
      .where('deleted_at', 'is', null);
    return (lock ? query.forUpdate() : query).executeTakeFirst();
  }

  images(productId: string): Promise<ProductImageRow[]> {
    return this.db
      .selectFrom('product_images')
      .selectAll()
      .where('product_id', '=', productId)
      .orderBy('position')
      .execute();
  }

  insert(productId: string, keys: StoredKeys, position: number): Promise<ProductImageRow> {
    return this.db
      .insertInto('product_images')
      .values({ product_id: productId, ...keys, position })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async delete(imageId: string): Promise<void> {
    await this.db.deleteFrom('product_images').where('id', '=', imageId).execute();
  }

  /** Gives each image its index in `orderedIds` (the uniqueness check waits for the commit). */
  async reorder(orderedIds: readonly string[]): Promise<void> {
    for (const [position, id] of orderedIds.entries()) {
      await this.db.updateTable('product_images').set({ position }).where('id', '=', id).execute();
    }
  }

  /** The product's single image becomes the gallery's first (or none). */
  async setCover(productId: string, cover: StoredKeys | null): Promise<void> {
    await this.db
      .updateTable('products')
      .set((eb) => ({
        image_key: cover?.image_key ?? null,
        thumbnail_key: cover?.thumbnail_key ?? null,
        version: eb('version', '+', 1),
        updated_at: new Date(),
      }))
      .where('id', '=', productId)
      .execute();
  }
}
