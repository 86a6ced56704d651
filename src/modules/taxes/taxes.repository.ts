import { type Kysely, sql } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { TaxesTables, TaxRateRow } from './taxes.tables.js';

export type TaxRateFields = Pick<
  TaxRateRow,
  'country' | 'region' | 'tax_class' | 'rate_bps' | 'inclusive' | 'currency'
>;

const LOCK = 'tax_rates';

/** SQL of the taxes module, and nothing else. */
export class TaxesRepository {
  private readonly db: Kysely<TaxesTables>;

  constructor(db: Kysely<object>) {
    this.db = tablesOf<TaxesTables>(db);
  }

  /** Inserts a rate unless `max` exist already (counted under a lock); undefined at the limit. */
  createUnderLimit(fields: TaxRateFields, max: number): Promise<TaxRateRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${LOCK}))`.execute(trx);
      const { count } = await trx
        .selectFrom('tax_rates')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      if (Number(count) >= max) return undefined;
      return trx.insertInto('tax_rates').values(fields).returningAll().executeTakeFirstOrThrow();
    });
  }

  list(limit: number): Promise<TaxRateRow[]> {
    return this.db
      .selectFrom('tax_rates')
      .selectAll()
      .orderBy('country')
      .orderBy('tax_class')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Every rate of a country: what a quote chooses from (a handful per country). */
  ofCountry(country: string, limit: number): Promise<TaxRateRow[]> {
    return this.db.selectFrom('tax_rates').selectAll().where('country', '=', country).limit(limit).execute();
  }

  update(id: string, fields: Partial<TaxRateFields>): Promise<TaxRateRow | undefined> {
    return this.db
      .updateTable('tax_rates')
      .set({ ...fields, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db
      .deleteFrom('tax_rates')
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    return deleted !== undefined;
  }
}
