import { type Kysely, sql } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { ShippingOptionRow, ShippingTables } from './shipping.tables.js';

export type ShippingOptionFields = Pick<
  ShippingOptionRow,
  'name' | 'kind' | 'currency' | 'amount_minor' | 'free_above_minor' | 'regions'
>;

/** SQL of the shipping module, and nothing else. */
export class ShippingRepository {
  private readonly db: Kysely<ShippingTables>;

  constructor(db: Kysely<object>) {
    this.db = tablesOf<ShippingTables>(db);
  }

  /**
   * Inserts a seller's option unless they have `max` already; the count and the insert
   * share a transaction holding a lock on the seller's key, so racing creations cannot
   * both slip under the limit. Undefined at the limit.
   */
  createUnderLimit(
    sellerId: string,
    fields: ShippingOptionFields,
    max: number,
  ): Promise<ShippingOptionRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`shipping_options:${sellerId}`}))`.execute(trx);
      const { count } = await trx
        .selectFrom('shipping_options')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('seller_id', '=', sellerId)
        .executeTakeFirstOrThrow();
      if (Number(count) >= max) return undefined;
      return trx
        .insertInto('shipping_options')
        .values({ ...fields, seller_id: sellerId })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  listOf(sellerId: string, limit: number): Promise<ShippingOptionRow[]> {
    return this.db
      .selectFrom('shipping_options')
      .selectAll()
      .where('seller_id', '=', sellerId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  find(id: string): Promise<ShippingOptionRow | undefined> {
    return this.db.selectFrom('shipping_options').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Rewrites one of the seller's options from what `change` makes of it, the row locked
   * meanwhile, so two edits never merge into an option neither asked for. Undefined when
   * the seller has no such option.
   */
  update(
    id: string,
    sellerId: string,
    change: (row: ShippingOptionRow) => ShippingOptionFields,
  ): Promise<ShippingOptionRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('shipping_options')
        .selectAll()
        .where('id', '=', id)
        .where('seller_id', '=', sellerId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return undefined;
      return trx
        .updateTable('shipping_options')
        .set({ ...change(row), updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  async delete(id: string, sellerId: string): Promise<boolean> {
    const deleted = await this.db
      .deleteFrom('shipping_options')
      .where('id', '=', id)
      .where('seller_id', '=', sellerId)
      .returning('id')
      .executeTakeFirst();
    return deleted !== undefined;
  }
}
