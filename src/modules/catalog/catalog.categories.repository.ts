import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { CatalogTables, CategoryRow } from './catalog.tables.js';

type Executor = Kysely<CatalogTables> | Transaction<CatalogTables>;

export type CategoryFields = Partial<Pick<CategoryRow, 'name' | 'slug' | 'parent_id' | 'position'>>;

/** SQL for categories and products' places in them. */
export class CategoriesRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): CategoriesRepository {
    return new CategoriesRepository(tablesOf<CatalogTables>(db));
  }

  transaction<T>(work: (repo: CategoriesRepository) => Promise<T>): Promise<T> {
    return (this.db as Kysely<CatalogTables>)
      .transaction()
      .execute((trx) => work(new CategoriesRepository(trx)));
  }

  /**
   * Serialises changes to the tree's shape: two moves that are each fine alone could
   * together make a cycle. Assigning products only takes row locks, which this waits for.
   */
  async lockTree(): Promise<void> {
    await sql`LOCK TABLE categories IN EXCLUSIVE MODE`.execute(this.db);
  }

  all(limit: number): Promise<CategoryRow[]> {
    return this.db
      .selectFrom('categories')
      .selectAll()
      .orderBy('position')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  find(id: string): Promise<CategoryRow | undefined> {
    return this.db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insert(values: Pick<CategoryRow, 'name' | 'slug' | 'parent_id' | 'position'>): Promise<CategoryRow> {
    return this.db.insertInto('categories').values(values).returningAll().executeTakeFirstOrThrow();
  }

  update(id: string, changes: CategoryFields): Promise<CategoryRow | undefined> {
    return this.db
      .updateTable('categories')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async hasChildren(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('categories')
      .select('id')
      .where('parent_id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether a live product is filed under the category (deleted ones do not keep it). */
  async hasLiveProducts(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('product_categories')
      .innerJoin('products', 'products.id', 'product_categories.product_id')
      .select('products.id')
      .where('product_categories.category_id', '=', id)
      .where('products.deleted_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes the category and what deleted products still had of it. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('product_categories').where('category_id', '=', id).execute();
    await this.db.deleteFrom('categories').where('id', '=', id).execute();
  }

  /** The live product's owner, its row locked so assignments to one product run one at a time. */
  lockProduct(id: string) {
    return this.db
      .selectFrom('products')
      .select(['id', 'seller_id'])
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
  }

  /** Those of `ids` that exist, held so that none is deleted before the transaction ends. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('categories')
      .select('id')
      .where('id', 'in', ids)
      .forKeyShare()
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  async setProductCategories(productId: string, categoryIds: readonly string[]): Promise<void> {
    await this.db.deleteFrom('product_categories').where('product_id', '=', productId).execute();
    if (categoryIds.length === 0) return;
    await this.db
      .insertInto('product_categories')
      .values(categoryIds.map((category_id) => ({ product_id: productId, category_id })))
      .execute();
  }
}
