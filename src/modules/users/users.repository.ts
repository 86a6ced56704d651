import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { RefreshTokenRow, UserRow, UsersTable, UsersTables } from './users.tables.js';

type Executor = Kysely<UsersTables> | Transaction<UsersTables>;

/** SQL for the users module's tables, and nothing else. */
export class UsersRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): UsersRepository {
    return new UsersRepository(tablesOf<UsersTables>(db));
  }

  withTransaction(trx: Transaction<object>): UsersRepository {
    return new UsersRepository(trx as unknown as Transaction<UsersTables>);
  }

  /** `trx` is handed over too, for writes outside this module's tables (its outbox events). */
  transaction<T>(fn: (repo: UsersRepository, trx: Transaction<object>) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .execute((trx) => fn(new UsersRepository(trx), trx as unknown as Transaction<object>));
  }

  insertUser(values: Pick<UsersTable, 'name' | 'email' | 'role' | 'password_hash'>): Promise<UserRow> {
    return this.db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
  }

  findUserById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Active users in id order, for mail to everyone; keyset-paged so it stays cheap. */
  listActiveUsers(afterId: string | undefined, limit: number): Promise<UserRow[]> {
    let query = this.db.selectFrom('users').selectAll().where('status', '=', 'active');
    if (afterId) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  }

  findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  updateUser(
    id: string,
    patch: Partial<Pick<UsersTable, 'name' | 'email' | 'password_hash'>>,
  ): Promise<UserRow | undefined> {
    return this.db
      .updateTable('users')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async insertRefreshToken(values: {
    family_id: string;
    user_id: string;
    token_hash: string;
    expires_at: Date;
  }): Promise<void> {
    await this.db.insertInto('refresh_tokens').values(values).execute();
  }

  /**
   * Marks a live token spent and returns it, in one statement: of two concurrent refreshes
   * with the same token exactly one gets the row.
   */
  spendRefreshToken(tokenHash: string, now: Date): Promise<RefreshTokenRow | undefined> {
    return this.db
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  findRefreshToken(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    return this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  async revokeFamily(familyId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes every session of the user, or every one but `keepFamilyId`. */
  async revokeAllForUser(userId: string, now: Date, keepFamilyId?: string): Promise<void> {
    let query = this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (keepFamilyId) query = query.where('family_id', '!=', keepFamilyId);
    await query.execute();
  }

  /**
   * The user's sessions that issued a token in the last `withinMs` (by the database's
   * clock). Every access token comes with a refresh token, so these are the sessions whose
   * access tokens may still be live, revoked or not.
   */
  async familiesIssuedWithin(userId: string, withinMs: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('refresh_tokens')
      .select('family_id')
      .distinct()
      .where('user_id', '=', userId)
      .where('created_at', '>', sql<Date>`now() - ${withinMs}::double precision * interval '1 millisecond'`)
      .execute();
    return rows.map((row) => row.family_id);
  }
}
