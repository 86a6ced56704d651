import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { CatalogTables } from './catalog.tables.js';
import { requireTaken } from './stock-not-taken.js';
import type { VariantOptions, VariantRow } from './catalog.variants.rules.js';

type Executor = Kysely<CatalogTables> | Transaction<CatalogTables>;

const VARIANT_COLUMNS = [
  'id',
  'product_id',
  'sku',
  'options',
  'price_minor',
  'stock',
  'position',
  'version',
  'created_at',
  'updated_at',
] as const;

export interface VariantInput {
  sku: string;
  options: VariantOptions;
  price_minor: bigint;
  stock: number;
  position: number;
}

const asJsonb = (options: VariantOptions) => sql<VariantOptions>`${JSON.stringify(options)}::jsonb`;

/** SQL for products' variants, and for the totals the product row keeps of them. */
export class VariantsRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): VariantsRepository {
    return new VariantsRepository(tablesOf<CatalogTables>(db));
  }

  static in(trx: Transaction<object>): VariantsRepository {
    return new VariantsRepository(trx as unknown as Transaction<CatalogTables>);
  }

  transaction<T>(work: (repo: VariantsRepository) => Promise<T>): Promise<T> {
    return (this.db as Kysely<CatalogTables>)
      .transaction()
      .execute((trx) => work(new VariantsRepository(trx)));
  }

  /** The live product; with `lock`, its row is held so its variants change one at a time. */
  product(id: string, lock = false) {
    const query = this.db
      .selectFrom('products')
      .select(['id', 'seller_id', 'name', 'currency', 'price_minor', 'variant_count'])
      .where('id', '=', id)
      .where('deleted_at', 'is', null);
    return (lock ? query.forUpdate() : query).executeTakeFirst();
  }

  /** The live variants of the products, in each product's order. */
  async of(productIds: readonly string[]): Promise<VariantRow[]> {
    if (productIds.length === 0) return [];
    return this.db
      .selectFrom('product_variants')
      .select(VARIANT_COLUMNS)
      .where('product_id', 'in', productIds)
      .where('deleted_at', 'is', null)
      .orderBy('product_id')
      .orderBy('position')
      .orderBy('created_at')
      .execute();
  }

  insert(productId: string, input: VariantInput): Promise<VariantRow> {
    return this.db
      .insertInto('product_variants')
      .values({ product_id: productId, ...input, options: asJsonb(input.options) })
      .returning(VARIANT_COLUMNS)
      .executeTakeFirstOrThrow();
  }

  /** Applies the changes only if the variant is live and still at `version`. */
  update(id: string, version: number, changes: Partial<VariantInput>): Promise<VariantRow | undefined> {
    const { options, ...rest } = changes;
    return this.db
      .updateTable('product_variants')
      .set({
        ...rest,
        ...(options ? { options: asJsonb(options) } : {}),
        version: version + 1,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('version', '=', version)
      .where('deleted_at', 'is', null)
      .returning(VARIANT_COLUMNS)
      .executeTakeFirst();
  }

  async softDelete(id: string): Promise<void> {
    await this.db
      .updateTable('product_variants')
      .set((eb) => ({ deleted_at: new Date(), updated_at: new Date(), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .execute();
  }

  /** The product row's copy of its variants: how many, their total stock and lowest price. */
  async setTotals(
    productId: string,
    totals: { variantCount: number; stock?: number; priceMinor?: bigint },
  ): Promise<void> {
    await this.db
      .updateTable('products')
      .set((eb) => ({
        variant_count: totals.variantCount,
        ...(totals.stock === undefined ? {} : { stock: totals.stock }),
        ...(totals.priceMinor === undefined ? {} : { price_minor: totals.priceMinor }),
        version: eb('version', '+', 1),
        updated_at: new Date(),
      }))
      .where('id', '=', productId)
      .execute();
  }

  /**
   * The statement that takes `quantity` from a live variant's stock only if there is enough
   * AND it still sells at the price charged; taking nothing raises `stock_not_taken` naming
   * `line`, as CatalogRepository.takeAtPrice.
   */
  takeAtPrice(id: string, quantity: number, priceMinor: bigint, line: string) {
    return this.db
      .with('taken', (db) =>
        db
          .updateTable('product_variants')
          .set((eb) => ({ stock: eb('stock', '-', quantity), version: eb('version', '+', 1) }))
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .where('stock', '>=', quantity)
          .where('price_minor', '=', priceMinor)
          .returning('id'),
      )
      .selectNoFrom(requireTaken(line));
  }

  /** Gives stock back, also to a variant deleted meanwhile. */
  async release(id: string, quantity: number): Promise<void> {
    await this.db
      .updateTable('product_variants')
      .set((eb) => ({ stock: eb('stock', '+', quantity), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** A variant as it is now, deleted or not. */
  find(id: string) {
    return this.db
      .selectFrom('product_variants')
      .select([...VARIANT_COLUMNS, 'deleted_at'])
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
