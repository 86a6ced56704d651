import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { RecoveryTables, TokenPurpose, UserTokenRow, UserTotpRow } from './users.recovery-tables.js';

type Executor = Kysely<RecoveryTables> | Transaction<RecoveryTables>;

/**
 * SQL for one-time tokens, e-mail verification and TOTP. Encryption of the TOTP seed
 * happens in the caller's mapping (UsersMfa): this class only stores what it is given.
 */
export class RecoveryRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): RecoveryRepository {
    return new RecoveryRepository(tablesOf<RecoveryTables>(db));
  }

  /** The same SQL inside a transaction the caller opened (e.g. UsersRepository.transaction's). */
  withTransaction(trx: Transaction<object>): RecoveryRepository {
    return new RecoveryRepository(trx as unknown as Transaction<RecoveryTables>);
  }

  transaction<T>(fn: (repo: RecoveryRepository, trx: Transaction<object>) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .execute((trx) => fn(new RecoveryRepository(trx), trx as unknown as Transaction<object>));
  }

  /**
   * Stores a new token and spends the user's older unused ones of the same purpose: only
   * the newest link mailed works.
   */
  async issueToken(values: {
    user_id: string;
    purpose: TokenPurpose;
    token_hash: string;
    email_hash?: string;
    ttlMs: number;
  }): Promise<Date> {
    if (values.purpose !== 'mfa_login') {
      await this.db
        .updateTable('user_tokens')
        .set({ used_at: sql<Date>`now()` })
        .where('user_id', '=', values.user_id)
        .where('purpose', '=', values.purpose)
        .where('used_at', 'is', null)
        .execute();
    }
    const row = await this.db
      .insertInto('user_tokens')
      .values({
        user_id: values.user_id,
        purpose: values.purpose,
        token_hash: values.token_hash,
        email_hash: values.email_hash ?? null,
        // The database's clock, as the consuming UPDATE compares with now().
        expires_at: sql<Date>`now() + ${values.ttlMs}::double precision * interval '1 millisecond'`,
      })
      .returning('expires_at')
      .executeTakeFirstOrThrow();
    return row.expires_at;
  }

  /** Spends a live token in one statement: of two concurrent uses exactly one gets the row. */
  consumeToken(purpose: TokenPurpose, tokenHash: string): Promise<UserTokenRow | undefined> {
    return this.db
      .updateTable('user_tokens')
      .set({ used_at: sql<Date>`now()` })
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returningAll()
      .executeTakeFirst();
  }

  /** A live token, without spending it (the MFA step spends it only once the code is right). */
  findLiveToken(purpose: TokenPurpose, tokenHash: string): Promise<UserTokenRow | undefined> {
    return this.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
  }

  /** Spends every unused token of the user of `purpose` (a reset spends the other reset links). */
  async spendTokens(userId: string, purpose: TokenPurpose): Promise<void> {
    await this.db
      .updateTable('user_tokens')
      .set({ used_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .execute();
  }

  async setEmailVerified(userId: string, verified: boolean): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ email_verified_at: verified ? sql<Date>`coalesce(email_verified_at, now())` : null })
      .where('id', '=', userId)
      .execute();
  }

  // ---- TOTP ----

  findTotp(userId: string): Promise<UserTotpRow | undefined> {
    return this.db.selectFrom('user_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** A new, unconfirmed authenticator, replacing an unconfirmed one; never a confirmed one. */
  async startTotp(userId: string, secret: string): Promise<boolean> {
    const row = await this.db
      .insertInto('user_totp')
      .values({ user_id: userId, secret })
      .onConflict((oc) =>
        oc
          .column('user_id')
          .doUpdateSet({ secret, last_used_step: null, updated_at: sql<Date>`now()` })
          .where('user_totp.confirmed_at', 'is', null),
      )
      .returning('user_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Records `step` as used, only when it is newer than every step used before: a code
   * (even one of the ±1 window) is accepted once, whatever the concurrency.
   */
  async useStep(userId: string, step: bigint, confirm: boolean): Promise<boolean> {
    let query = this.db
      .updateTable('user_totp')
      .set({ last_used_step: step, updated_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]));
    if (confirm) {
      query = query
        .set({ confirmed_at: sql<Date>`coalesce(confirmed_at, now())` })
        .where('confirmed_at', 'is', null);
    } else {
      query = query.where('confirmed_at', 'is not', null);
    }
    const row = await query.returning('user_id').executeTakeFirst();
    return row !== undefined;
  }

  async deleteTotp(userId: string): Promise<void> {
    await this.db.deleteFrom('user_totp').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
  }

  /** Replaces every recovery code of the user with `codeHashes`. */
  async replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void> {
    await this.db.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
    await this.db
      .insertInto('user_recovery_codes')
      .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash })))
      .execute();
  }

  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const row = await this.db
      .updateTable('user_recovery_codes')
      .set({ used_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Everything of an erased account: its links, its authenticator and recovery codes. */
  async forgetUser(userId: string): Promise<void> {
    await this.db.deleteFrom('user_tokens').where('user_id', '=', userId).execute();
    await this.deleteTotp(userId);
  }

  /** Spent and expired tokens older than `olderThanMs`, for a retention job; returns how many. */
  async deleteStaleTokens(olderThanMs: number): Promise<number> {
    const result = await this.db
      .deleteFrom('user_tokens')
      .where(
        'expires_at',
        '<',
        sql<Date>`now() - ${olderThanMs}::double precision * interval '1 millisecond'`,
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async recoveryCodesLeft(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('user_recovery_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
