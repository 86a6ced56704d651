import { type Kysely, sql, type Transaction } from 'kysely';
import type { KeyRing } from '../../../platform/crypto/keyring.js';
import { tablesOf } from '../../../platform/db/database.js';
import type { OidcTables, UserIdentityRow } from './oidc.tables.js';

type Executor = Kysely<OidcTables> | Transaction<OidcTables>;

/** A sign-in under way, as the callback needs it: the verifier in plaintext. */
export interface PendingLogin {
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

// Expired rows are swept a batch at a time on the next write: bounded work per request.
const SWEEP_BATCH = 100;
const verifierContext = (stateHash: string) => `oidc_logins.code_verifier:${stateHash}`;

/** SQL for the OpenID Connect tables of the users module, and nothing else. */
export class OidcRepository {
  constructor(
    private readonly db: Executor,
    private readonly keyring: KeyRing,
  ) {}

  static of(db: Kysely<object>, keyring: KeyRing): OidcRepository {
    return new OidcRepository(tablesOf<OidcTables>(db), keyring);
  }

  withTransaction(trx: Transaction<object>): OidcRepository {
    return new OidcRepository(trx as unknown as Transaction<OidcTables>, this.keyring);
  }

  async insertLogin(stateHash: string, login: PendingLogin, expiresAt: Date): Promise<void> {
    await this.sweep('oidc_logins');
    await this.db
      .insertInto('oidc_logins')
      .values({
        state_hash: stateHash,
        nonce: login.nonce,
        code_verifier: this.keyring.encrypt(login.codeVerifier, verifierContext(stateHash)),
        return_to: login.returnTo,
        expires_at: expiresAt,
      })
      .execute();
  }

  /** Deletes the login and returns it while it is live: of two callbacks with one state, one gets it. */
  async takeLogin(stateHash: string): Promise<PendingLogin | undefined> {
    const row = await this.db
      .deleteFrom('oidc_logins')
      .where('state_hash', '=', stateHash)
      .where('expires_at', '>', sql<Date>`now()`)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      nonce: row.nonce,
      codeVerifier: this.keyring.decrypt(row.code_verifier, verifierContext(stateHash)),
      returnTo: row.return_to,
    };
  }

  findIdentity(issuer: string, subject: string): Promise<UserIdentityRow | undefined> {
    return this.db
      .selectFrom('user_identities')
      .selectAll()
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
  }

  async insertIdentity(values: { user_id: string; issuer: string; subject: string }): Promise<void> {
    await this.db.insertInto('user_identities').values(values).execute();
  }

  async touchIdentity(id: string): Promise<void> {
    await this.db
      .updateTable('user_identities')
      .set({ last_signed_in_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
  }

  async insertSignInCode(codeHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.sweep('oidc_sign_in_codes');
    await this.db
      .insertInto('oidc_sign_in_codes')
      .values({ code_hash: codeHash, user_id: userId, expires_at: expiresAt })
      .execute();
  }

  /** Spends a live code in one statement: a code signs in once, whoever races for it. */
  async spendSignInCode(codeHash: string): Promise<string | undefined> {
    const row = await this.db
      .deleteFrom('oidc_sign_in_codes')
      .where('code_hash', '=', codeHash)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id;
  }

  private async sweep(table: 'oidc_logins' | 'oidc_sign_in_codes'): Promise<void> {
    const key = table === 'oidc_logins' ? 'state_hash' : 'code_hash';
    await sql`
      DELETE FROM ${sql.table(table)} WHERE ${sql.ref(key)} IN (
        SELECT ${sql.ref(key)} FROM ${sql.table(table)} WHERE expires_at <= now() LIMIT ${SWEEP_BATCH}
      )`.execute(this.db);
  }
}
