import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { CatalogTables, CollectionRow } from './catalog.tables.js';

type Executor = Kysely<CatalogTables> | Transaction<CatalogTables>;

export type CollectionFields = Partial<Pick<CollectionRow, 'title' | 'slug' | 'description'>>;

/** SQL for collections and the ordered products in them. */
export class CollectionsRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): CollectionsRepository {
    return new CollectionsRepository(tablesOf<CatalogTables>(db));
  }

  transaction<T>(work: (repo: CollectionsRepository) => Promise<T>): Promise<T> {
    return (this.db as Kysely<CatalogTables>)
      .transaction()
      .execute((trx) => work(new CollectionsRepository(trx)));
  }

  all(limit: number): Promise<CollectionRow[]> {
    return this.db
      .selectFrom('collections')
      .selectAll()
      .orderBy('title')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Makes concurrent creations count one after another, so the limit holds exactly. */
  async lockForCreate(): Promise<void> {
    await sql`LOCK TABLE collections IN SHARE ROW EXCLUSIVE MODE`.execute(this.db);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('collections')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  find(id: string): Promise<CollectionRow | undefined> {
    return this.db.selectFrom('collections').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The collection's row, locked so that changes to its products run one at a time. */
  lock(id: string): Promise<CollectionRow | undefined> {
    return this.db.selectFrom('collections').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  insert(values: Pick<CollectionRow, 'title' | 'slug' | 'description'>): Promise<CollectionRow> {
    return this.db.insertInto('collections').values(values).returningAll().executeTakeFirstOrThrow();
  }

  update(id: string, changes: CollectionFields): Promise<CollectionRow | undefined> {
    return this.db
      .updateTable('collections')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('collections').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Those of `ids` that are live products. */
  async liveProducts(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('products')
      .select('id')
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  async setProducts(collectionId: string, productIds: readonly string[]): Promise<void> {
    await this.db.deleteFrom('collection_products').where('collection_id', '=', collectionId).execute();
    if (productIds.length === 0) return;
    await this.db
      .insertInto('collection_products')
      .values(
        productIds.map((product_id, position) => ({ collection_id: collectionId, product_id, position })),
      )
      .execute();
  }

  /** Ids of one page of the collection's live products after `afterPosition`, plus one to tell if more follow. */
  async productPage(collectionId: string, afterPosition: number, limit: number) {
    return this.db
      .selectFrom('collection_products')
      .innerJoin('products', 'products.id', 'collection_products.product_id')
      .select(['collection_products.product_id', 'collection_products.position'])
      .where('collection_products.collection_id', '=', collectionId)
      .where('collection_products.position', '>', afterPosition)
      .where('products.deleted_at', 'is', null)
      .orderBy('collection_products.position')
      .limit(limit + 1)
      .execute();
  }
}
