import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { Cursor, ProductSort } from './catalog.cursor.js';
import type { CatalogTables, ProductRow } from './catalog.tables.js';

type Executor = Kysely<CatalogTables> | Transaction<CatalogTables>;

export interface ProductFilters {
  sellerId?: string;
  currency?: string;
  minPriceMinor?: bigint;
  maxPriceMinor?: bigint;
  inStock?: boolean;
  /** A tsquery for the 'simple' configuration (see searchQuery). */
  search?: string;
}

export type ListedProduct = ProductRow & { cursor_key: string };

export type ProductChanges = Partial<{
  name: string;
  description: string;
  price_minor: bigint;
  currency: string;
  stock: number;
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

  /** The prices of those of `ids` that are live, in no particular order. */
  livePrices(ids: readonly string[]): Promise<Pick<ProductRow, 'id' | 'price_minor' | 'currency'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('products')
      .select(['id', 'price_minor', 'currency'])
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
      .select(['id', 'seller_id', 'name', 'price_minor', 'currency', 'stock'])
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .execute();
  }

  /**
   * Takes `quantity` from a live product's stock only if there is enough AND it still
   * sells at the price that was charged; false (nothing changed) otherwise.
   */
  async takeAtPrice(id: string, quantity: number, priceMinor: bigint, currency: string): Promise<boolean> {
    const row = await this.db
      .updateTable('products')
      .set((eb) => ({ stock: eb('stock', '-', quantity), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .where('stock', '>=', quantity)
      .where('price_minor', '=', priceMinor)
      .where('currency', '=', currency)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
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
}
