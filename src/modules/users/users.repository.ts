import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { tablesOf } from '../../platform/db/database.js';
import { emailIndexOf, openUser, sealUser } from './users.encryption.js';
import type { RefreshTokenRow, UserRow, UsersTable, UsersTables } from './users.tables.js';

type Executor = Kysely<UsersTables> | Transaction<UsersTables>;

/** The profile fields a user's row holds encrypted, as plaintext. */
type SealedFields = Pick<UsersTable, 'name' | 'email' | 'phone' | 'shipping_address'>;

/**
 * SQL for the users module's tables, and nothing else. Personal data (name, email, phone,
 * shipping address) is encrypted here, in the row mapping: every method takes and returns
 * plaintext, and e-mails are found through their blind index (users.encryption.ts).
 */
export class UsersRepository {
  constructor(
    private readonly db: Executor,
    private readonly ring: KeyRing,
  ) {}

  static of(db: Kysely<object>, ring: KeyRing): UsersRepository {
    return new UsersRepository(tablesOf<UsersTables>(db), ring);
  }

  withTransaction(trx: Transaction<object>): UsersRepository {
    return new UsersRepository(trx as unknown as Transaction<UsersTables>, this.ring);
  }

  /** `trx` is handed over too, for writes outside this module's tables (its outbox events). */
  transaction<T>(fn: (repo: UsersRepository, trx: Transaction<object>) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .execute((trx) => fn(new UsersRepository(trx, this.ring), trx as unknown as Transaction<object>));
  }

  /** A users row as read, decrypted; for every method that returns rows. */
  protected opened<T extends UserRow | undefined>(row: T): T {
    return (row && openUser(this.ring, row)) as T;
  }

  /** The e-mail's blind index, for queries other methods build. */
  protected emailIndex(email: string): string {
    return emailIndexOf(this.ring, email);
  }

  /** The id is made here, not by the database: it is part of each field's encryption context. */
  async insertUser(
    values: Pick<UsersTable, 'name' | 'email' | 'role' | 'password_hash'> &
      Partial<Pick<SealedFields, 'phone' | 'shipping_address'>>,
  ): Promise<UserRow> {
    const id = randomUUID();
    const { name, email, phone, shipping_address, ...plain } = values;
    const row = await this.db
      .insertInto('users')
      .values({
        ...plain,
        id,
        ...(sealUser(this.ring, id, { name, email, phone, shipping_address }) as Pick<
          UsersTable,
          'name' | 'email'
        >),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.opened(row);
  }

  async findUserById(id: string): Promise<UserRow | undefined> {
    return this.opened(await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst());
  }

  /** The active ones among `ids` (uuids), in one statement whatever their number. */
  async findActiveUsersByIds(ids: readonly string[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where(sql<boolean>`id = ANY(${[...ids]}::uuid[])`)
      .where('status', '=', 'active')
      .execute();
    return rows.map((row) => this.opened(row));
  }

  /** Active users in id order, for mail to everyone; keyset-paged so it stays cheap. */
  async listActiveUsers(afterId: string | undefined, limit: number): Promise<UserRow[]> {
    let query = this.db.selectFrom('users').selectAll().where('status', '=', 'active');
    if (afterId) query = query.where('id', '>', afterId);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((row) => this.opened(row));
  }

  /** By the address's blind index (any case, surrounding spaces ignored). */
  async findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.opened(
      await this.db
        .selectFrom('users')
        .selectAll()
        .where('email_index', '=', this.emailIndex(email))
        .executeTakeFirst(),
    );
  }

  async updateUser(
    id: string,
    patch: Partial<Pick<UsersTable, 'password_hash'> & SealedFields>,
  ): Promise<UserRow | undefined> {
    const { name, email, phone, shipping_address, ...plain } = patch;
    const row = await this.db
      .updateTable('users')
      .set({
        ...plain,
        ...sealUser(this.ring, id, { name, email, phone, shipping_address }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return this.opened(row);
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
  async setDisabled(id: string, disabled: boolean): Promise<UserRow | undefined> {
    const row = await this.db
      .updateTable('users')
      .set({
        status: disabled ? 'disabled' : 'active',
        disabled_at: disabled ? sql<Date>`coalesce(disabled_at, now())` : null,
        updated_at: sql<Date>`CASE WHEN status = ${disabled ? 'disabled' : 'active'} THEN updated_at ELSE now() END`,
      })
      .where('id', '=', id)
      // An erased account stays erased: enabling it must not bring a pseudonym back to life.
      .where('status', '!=', 'erased')
      .returningAll()
      .executeTakeFirst();
    return this.opened(row);
  }

  /**
   * One page of users for admins, newest first (keyset on created_at, id), `limit + 1`
   * rows. Names and e-mails are encrypted, so the database can match an e-mail only
   * exactly (through its blind index), or a user id.
   */
  async listUsers(
    filter: { email?: string; id?: string; role?: UserRow['role']; status?: UserRow['status'] },
    limit: number,
    after?: { createdAt: string; id: string },
  ) {
    let query = this.db
      .selectFrom('users')
      .selectAll()
      .select(sql<string>`created_at::text`.as('cursor_key'));
    if (filter.email !== undefined) query = query.where('email_index', '=', this.emailIndex(filter.email));
    if (filter.id !== undefined) query = query.where('id', '=', filter.id);
    if (filter.role) query = query.where('role', '=', filter.role);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (after) {
      query = query.where(
        sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return rows.map((row) => openUser(this.ring, row));
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

  /**
   * Marks an account erased and ends its sessions, after its name and e-mail were replaced
   * (updateUser, so they are sealed as any other value is). Password, second factor and
   * sign-in identities go: nothing signs the account in again.
   */
  async markErased(id: string, now: Date): Promise<boolean> {
    const row = await this.db
      .updateTable('users')
      .set({
        status: 'erased',
        disabled_at: null,
        password_hash: null,
        email_verified_at: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await this.revokeAllForUser(id, now);
    // The module's other per-person tables: a second factor, recovery codes, pending
    // verification or reset links, and the OpenID Connect identities that would sign in.
    await sql`DELETE FROM user_totp WHERE user_id = ${id}::uuid`.execute(this.db);
    await sql`DELETE FROM user_recovery_codes WHERE user_id = ${id}::uuid`.execute(this.db);
    await sql`DELETE FROM user_tokens WHERE user_id = ${id}::uuid`.execute(this.db);
    await sql`DELETE FROM user_identities WHERE user_id = ${id}::uuid`.execute(this.db);
    return true;
  }

  /** The user's sessions (refresh-token families), newest first: when each began, was last used, ended. */
  sessionsOf(userId: string, limit: number) {
    return this.db
      .selectFrom('refresh_tokens')
      .select((eb) => [
        'family_id',
        eb.fn.min('created_at').as('started_at'),
        eb.fn.max('created_at').as('last_used_at'),
        eb.fn.max('revoked_at').as('revoked_at'),
        eb.fn.max('expires_at').as('expires_at'),
      ])
      .where('user_id', '=', userId)
      .groupBy('family_id')
      .orderBy('started_at', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Whether the user has a confirmed TOTP authenticator (user_totp, users.recovery-repository.ts),
   * here so that a session issued inside this repository's transaction can ask on its connection.
   */
  async hasConfirmedTotp(userId: string): Promise<boolean> {
    const { rows } = await sql<{ found: number }>`
      SELECT 1 AS found FROM user_totp WHERE user_id = ${userId}::uuid AND confirmed_at IS NOT NULL`.execute(
      this.db,
    );
    return rows.length > 0;
  }
}
