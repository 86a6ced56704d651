import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { Cursor, ProductSort } from './catalog.cursor.js';
import type { CatalogTables, ProductRow } from './catalog.tables.js';
import { requireTaken } from './stock-not-taken.js';

type Executor = Kysely<CatalogTables> | Transaction<CatalogTables>;

export interface ProductFilters {
  sellerId?: string;
  currency?: string;
  minPriceMinor?: bigint;
  maxPriceMinor?: bigint;
  inStock?: boolean;
  /** A tsquery for the 'simple' configuration (see searchQuery). */
  search?: string;
  /** Products in any of these categories (a category and its descendants). */
  categoryIds?: string[];
}

export type ListedProduct = ProductRow & { cursor_key: string };

export type ProductChanges = Partial<{
  name: string;
  description: string;
  price_minor: bigint;
  currency: string;
  stock: number;
  tax_class: string;
  image_key: string | null;
  thumbnail_key: string | null;
}>;

/** SQL for the catalog's tables, and nothing else. Deleted products are invisible here. */
export class CatalogRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): CatalogRepository {
    return new CatalogRepository(tablesOf<CatalogTables>(db));
  }

  /** The same repository inside the caller's transaction. */
  static in(trx: Transaction<object>): CatalogRepository {
    return new CatalogRepository(trx as unknown as Transaction<CatalogTables>);
  }

  insert(values: {
    seller_id: string;
    name: string;
    description: string;
    price_minor: bigint;
    currency: string;
    stock: number;
    image_key: string | null;
    thumbnail_key: string | null;
  }): Promise<ProductRow> {
    return this.db.insertInto('products').values(values).returningAll().executeTakeFirstOrThrow();
  }

  findLive(id: string): Promise<ProductRow | undefined> {
    return this.db
      .selectFrom('products')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  findManyLive(ids: readonly string[]): Promise<ProductRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('products')
      .selectAll()
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .execute();
  }

  /** The prices of those of `ids` that are live, in no particular order. */
  livePrices(
    ids: readonly string[],
  ): Promise<
    Pick<
      ProductRow,
      'id' | 'name' | 'price_minor' | 'currency' | 'seller_id' | 'tax_class' | 'variant_count'
    >[]
  > {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('products')
      .select(['id', 'name', 'price_minor', 'currency', 'seller_id', 'tax_class', 'variant_count'])
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .execute();
  }

  /** Applies the changes only if the product is live and still at `version` (no lost updates). */
  update(id: string, version: number, changes: ProductChanges): Promise<ProductRow | undefined> {
    return this.db
      .updateTable('products')
      .set({ ...changes, version: version + 1, updated_at: new Date() })
      .where('id', '=', id)
      .where('version', '=', version)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /** What a checkout charges for live products, read without locking them. */
  quote(ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('products')
      .select(['id', 'seller_id', 'name', 'price_minor', 'currency', 'stock', 'tax_class', 'variant_count'])
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .execute();
  }

  /**
   * The statement that takes `quantity` from a live product's stock only if there is enough
   * AND it still sells at the price (absent: a variant's, checked on the variant) and
   * currency that were charged. Taking nothing raises `stock_not_taken` naming `line`
   * (stock-not-taken.ts), so it can be sent ahead of COMMIT: a failed decrement fails the
   * transaction instead of answering "no row" to nobody.
   */
  takeAtPrice(id: string, quantity: number, priceMinor: bigint | undefined, currency: string, line: string) {
    return this.db
      .with('taken', (db) => {
        let update = db
          .updateTable('products')
          .set((eb) => ({ stock: eb('stock', '-', quantity), version: eb('version', '+', 1) }))
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .where('stock', '>=', quantity)
          .where('currency', '=', currency);
        if (priceMinor !== undefined) update = update.where('price_minor', '=', priceMinor);
        return update.returning('id');
      })
      .selectNoFrom(requireTaken(line));
  }

  /** Holds the product row (deleted or not) for the caller's transaction. */
  async lockStock(id: string): Promise<void> {
    await this.db.selectFrom('products').select('id').where('id', '=', id).forNoKeyUpdate().execute();
  }

  /** Gives stock back, also to a product deleted meanwhile (its row and count remain). */
  async release(id: string, quantity: number): Promise<void> {
    await this.db
      .updateTable('products')
      .set((eb) => ({ stock: eb('stock', '+', quantity), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  findAny(id: string): Promise<ProductRow | undefined> {
    return this.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  }

  softDelete(id: string): Promise<ProductRow | undefined> {
    return this.db
      .updateTable('products')
      .set((eb) => ({ deleted_at: new Date(), updated_at: new Date(), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /** One page in keyset order, plus one extra row that tells whether another page exists. */
  list(filters: ProductFilters, sort: ProductSort, cursor: Cursor | undefined, limit: number) {
    let query = this.db
      .selectFrom('products')
      .selectAll()
      .select(
        sort === 'newest'
          ? sql<string>`created_at::text`.as('cursor_key')
          : sql<string>`price_minor::text`.as('cursor_key'),
      )
      .where('deleted_at', 'is', null);
    if (filters.sellerId) query = query.where('seller_id', '=', filters.sellerId);
    if (filters.currency) query = query.where('currency', '=', filters.currency);
    if (filters.minPriceMinor !== undefined) query = query.where('price_minor', '>=', filters.minPriceMinor);
    if (filters.maxPriceMinor !== undefined) query = query.where('price_minor', '<=', filters.maxPriceMinor);
    if (filters.inStock !== undefined) query = query.where('stock', filters.inStock ? '>' : '=', 0);
    if (filters.search) query = query.where(sql<boolean>`search @@ to_tsquery('simple', ${filters.search})`);
    const categoryIds = filters.categoryIds;
    if (categoryIds) {
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('product_categories')
            .select('product_categories.product_id')
            .whereRef('product_categories.product_id', '=', 'products.id')
            .where('product_categories.category_id', 'in', categoryIds),
        ),
      );
    }

    if (sort === 'newest') {
      if (cursor) {
        query = query.where(
          sql<boolean>`(created_at, id) < (${cursor.key}::timestamptz, ${cursor.id}::uuid)`,
        );
      }
      query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    } else {
      const direction = sort === 'price_asc' ? '>' : '<';
      if (cursor) {
        query = query.where(
          sql<boolean>`(price_minor, id) ${sql.raw(direction)} (${cursor.key}::bigint, ${cursor.id}::uuid)`,
        );
      }
      const order = sort === 'price_asc' ? 'asc' : 'desc';
      query = query.orderBy('price_minor', order).orderBy('id', order);
    }
    return query.limit(limit + 1).execute() as Promise<ListedProduct[]>;
  }

  /**
   * The category named by id or slug and all its descendants; empty when there is none.
   * UNION (not UNION ALL) stops at a row already seen, so even a cycle would end.
   */
  async categorySubtree(idOrSlug: string): Promise<string[]> {
    const isId = UUID.test(idOrSlug);
    const result = await sql<{ id: string }>`
      WITH RECURSIVE tree AS (
        SELECT id FROM categories WHERE ${isId ? sql`id = ${idOrSlug}::uuid` : sql`slug = ${idOrSlug}`}
        UNION
        SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id
      )
      SELECT id FROM tree LIMIT 10000`.execute(this.db);
    return result.rows.map((row) => row.id);
  }

  /** The categories of each of `productIds`, ids in order; products with none are absent. */
  async categoryIdsOf(productIds: readonly string[]): Promise<Map<string, string[]>> {
    const byProduct = new Map<string, string[]>();
    if (productIds.length === 0) return byProduct;
    const rows = await this.db
      .selectFrom('product_categories')
      .select(['product_id', 'category_id'])
      .where('product_id', 'in', productIds)
      .orderBy('product_id')
      .orderBy('category_id')
      .execute();
    for (const row of rows)
      byProduct.set(row.product_id, [...(byProduct.get(row.product_id) ?? []), row.category_id]);
    return byProduct;
  }

  /** Runs `work` in one transaction over this repository. */
  transaction<T>(work: (repo: CatalogRepository) => Promise<T>): Promise<T> {
    return (this.db as Kysely<CatalogTables>)
      .transaction()
      .execute((trx) => work(new CatalogRepository(trx)));
  }

  /** Adds `keys` as the gallery's first image, after the product was created with them. */
  async insertCover(productId: string, keys: { image_key: string; thumbnail_key: string | null }) {
    await this.db
      .insertInto('product_images')
      .values({ product_id: productId, ...keys, position: 0 })
      .execute();
  }

  /**
   * The gallery's first image becomes `next` (the single-image update): the row holding the
   * old cover's keys is rewritten, or a first row is added to an empty gallery.
   */
  async replaceCover(
    productId: string,
    oldImageKey: string | null,
    next: { image_key: string; thumbnail_key: string | null },
  ) {
    const replaced = oldImageKey
      ? await this.db
          .updateTable('product_images')
          .set(next)
          .where('product_id', '=', productId)
          .where('image_key', '=', oldImageKey)
          .executeTakeFirst()
      : undefined;
    if (replaced && replaced.numUpdatedRows > 0n) return;
    await this.db
      .updateTable('product_images')
      .set((eb) => ({ position: eb('position', '+', 1) }))
      .where('product_id', '=', productId)
      .execute();
    await this.insertCover(productId, next);
  }

  /** Every image of a product's gallery (for removing their objects). */
  galleryKeys(productId: string) {
    return this.db
      .selectFrom('product_images')
      .select(['image_key', 'thumbnail_key'])
      .where('product_id', '=', productId)
      .execute();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
