import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { AddressesTable, AddressesTables, AddressRow } from './addresses.tables.js';

export type NewAddress = Omit<AddressesTable, 'is_default' | 'created_at' | 'updated_at'>;
export type AddressChange = Partial<Omit<NewAddress, 'id' | 'user_id'>>;

/** SQL of the addresses module, and nothing else. */
export class AddressesRepository {
  private readonly db: Kysely<AddressesTables>;

  constructor(db: Kysely<object>) {
    this.db = tablesOf<AddressesTables>(db);
  }

  /**
   * Inserts an address unless the user has `max` already; the user's first address is their
   * default. Runs under a lock on the user's key, so racing creations cannot both slip
   * under the limit nor both become the default. Undefined at the limit.
   */
  createUnderLimit(row: NewAddress, makeDefault: boolean, max: number): Promise<AddressRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await lockUser(trx, row.user_id);
      const { count } = await trx
        .selectFrom('addresses')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('user_id', '=', row.user_id)
        .executeTakeFirstOrThrow();
      if (Number(count) >= max) return undefined;
      const isDefault = makeDefault || Number(count) === 0;
      if (isDefault) await clearDefault(trx, row.user_id);
      return trx
        .insertInto('addresses')
        .values({ ...row, is_default: isDefault })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  listOf(userId: string, limit: number): Promise<AddressRow[]> {
    return this.db
      .selectFrom('addresses')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  find(id: string, userId: string): Promise<AddressRow | undefined> {
    return this.db
      .selectFrom('addresses')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  /** Changes one of the user's addresses; `isDefault` true moves the default to it. Undefined when not theirs. */
  update(
    id: string,
    userId: string,
    change: AddressChange,
    isDefault: boolean | undefined,
  ): Promise<AddressRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await lockUser(trx, userId);
      const owned = await trx
        .selectFrom('addresses')
        .select('id')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!owned) return undefined;
      if (isDefault) await clearDefault(trx, userId);
      return trx
        .updateTable('addresses')
        .set({
          ...change,
          ...(isDefault === undefined ? {} : { is_default: isDefault }),
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  async delete(id: string, userId: string): Promise<boolean> {
    const deleted = await this.db
      .deleteFrom('addresses')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returning('id')
      .executeTakeFirst();
    return deleted !== undefined;
  }

  /** Erasure: every address of the user, in the caller's transaction. */
  async eraseUser(trx: Transaction<object>, userId: string): Promise<void> {
    await tablesOf<AddressesTables>(trx).deleteFrom('addresses').where('user_id', '=', userId).execute();
  }
}

const lockUser = (trx: Transaction<AddressesTables>, userId: string) =>
  sql`SELECT pg_advisory_xact_lock(hashtext(${`addresses:${userId}`}))`.execute(trx);

const clearDefault = (trx: Transaction<AddressesTables>, userId: string) =>
  trx
    .updateTable('addresses')
    .set({ is_default: false })
    .where('user_id', '=', userId)
    .where('is_default', '=', true)
    .execute();
