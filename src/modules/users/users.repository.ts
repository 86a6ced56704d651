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

  /**
   * Starts or continues a session, only while the user is active: false (nothing written)
   * for a disabled or deleted user. FOR SHARE waits for a concurrent disable to commit and
   * then sees it, so no session can slip in between a disable and its revocations.
   */
  async insertRefreshToken(values: {
    family_id: string;
    user_id: string;
    token_hash: string;
    expires_at: Date;
  }): Promise<boolean> {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO refresh_tokens (family_id, user_id, token_hash, expires_at)
      SELECT ${values.family_id}::uuid, id, ${values.token_hash}::text, ${values.expires_at}::timestamptz
      FROM (SELECT id FROM users WHERE id = ${values.user_id}::uuid AND status = 'active' FOR SHARE) active
      RETURNING id`.execute(this.db);
    return rows.length === 1;
  }

  /** Disables or enables a user; disabling again keeps the first disabled_at. */
  setDisabled(id: string, disabled: boolean): Promise<UserRow | undefined> {
    return this.db
      .updateTable('users')
      .set({
        status: disabled ? 'disabled' : 'active',
        disabled_at: disabled ? sql<Date>`coalesce(disabled_at, now())` : null,
        updated_at: sql<Date>`CASE WHEN status = ${disabled ? 'disabled' : 'active'} THEN updated_at ELSE now() END`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * One page of users for admins, newest first (keyset on created_at, id), `limit + 1`
   * rows. `contains` matches anywhere in the email or name, case-insensitively; it is a
   * LIKE pattern the caller has escaped.
   */
  listUsers(
    filter: { contains?: string; role?: UserRow['role']; status?: UserRow['status'] },
    limit: number,
    after?: { createdAt: string; id: string },
  ) {
    let query = this.db
      .selectFrom('users')
      .selectAll()
      .select(sql<string>`created_at::text`.as('cursor_key'));
    if (filter.contains !== undefined) {
      const pattern = `%${filter.contains}%`;
      query = query.where((eb) => eb.or([eb('email', 'ilike', pattern), eb('name', 'ilike', pattern)]));
    }
    if (filter.role) query = query.where('role', '=', filter.role);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (after) {
      query = query.where(
        sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      );
    }
    return query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
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

  /**
   * The token, locked until the transaction ends: two retries of one spent token take
   * turns, and the second sees what the first issued and revoked.
   */
  lockRefreshToken(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    return this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .forUpdate()
      .executeTakeFirst();
  }

  /**
   * The tokens of `token`'s family issued after it, locked in issue order (so two lockers of
   * one family cannot wait on each other in a cycle). A concurrent spend of one of them
   * either commits first, and it is returned used, or waits and then finds it revoked.
   */
  lockIssuedAfter(token: Pick<RefreshTokenRow, 'id' | 'family_id'>): Promise<RefreshTokenRow[]> {
    // Compared in SQL: a JS Date would cut created_at to the millisecond.
    return this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('family_id', '=', token.family_id)
      .where('id', '!=', token.id)
      .where(
        'created_at',
        '>=',
        sql<Date>`(SELECT created_at FROM refresh_tokens WHERE id = ${token.id}::uuid)`,
      )
      .orderBy('created_at')
      .orderBy('id')
      .forUpdate()
      .execute();
  }

  /** Revokes the family's unused tokens: its live one (a family has at most one). */
  async revokeUnusedInFamily(familyId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('family_id', '=', familyId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
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
