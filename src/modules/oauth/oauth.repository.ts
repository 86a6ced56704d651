import { type Kysely, sql } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { OAuthClientRow, OAuthTables } from './oauth.tables.js';

export type NewClient = Pick<OAuthClientRow, 'id' | 'owner_id' | 'name' | 'scopes' | 'secret_sha256'>;

/** SQL of the oauth module, and nothing else. */
export class OAuthRepository {
  private readonly db: Kysely<OAuthTables>;

  constructor(db: Kysely<object>) {
    this.db = tablesOf<OAuthTables>(db);
  }

  /**
   * Inserts the client unless its owner already has `maxActive` unrevoked ones; the count
   * and the insert share a transaction holding a lock on the owner's key, so two racing
   * creations cannot both slip under the limit. Undefined when the limit is reached.
   */
  createUnderLimit(client: NewClient, maxActive: number): Promise<OAuthClientRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`oauth_clients:${client.owner_id}`}))`.execute(trx);
      const { count } = await trx
        .selectFrom('oauth_clients')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('owner_id', '=', client.owner_id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(count) >= maxActive) return undefined;
      return trx.insertInto('oauth_clients').values(client).returningAll().executeTakeFirstOrThrow();
    });
  }

  find(id: string): Promise<OAuthClientRow | undefined> {
    return this.db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The owner's clients, newest first, revoked ones included (they say when they were revoked). */
  listOf(ownerId: string, limit: number): Promise<OAuthClientRow[]> {
    return this.db
      .selectFrom('oauth_clients')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * A new secret and a new token family for an unrevoked client of the owner, returning
   * the row before and after (the old family is what the caller revokes); undefined when
   * there is no such client.
   */
  async rotateSecret(
    id: string,
    ownerId: string,
    secretSha256: string,
  ): Promise<{ before: OAuthClientRow; after: OAuthClientRow } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('oauth_clients')
        .selectAll()
        .where('id', '=', id)
        .where('owner_id', '=', ownerId)
        .where('revoked_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!before) return undefined;
      const after = await trx
        .updateTable('oauth_clients')
        .set({
          secret_sha256: secretSha256,
          token_family: sql<string>`gen_random_uuid()`,
          secret_rotated_at: sql<Date>`now()`,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { before, after };
    });
  }

  /**
   * Starts a new token family for the client if `family` is still its current one, so
   * tokens issued from now on are not caught by revoking `family`. Safe to repeat.
   */
  async renewFamily(id: string, family: string): Promise<void> {
    await this.db
      .updateTable('oauth_clients')
      .set({ token_family: sql<string>`gen_random_uuid()` })
      .where('id', '=', id)
      .where('token_family', '=', family)
      .execute();
  }

  /**
   * Revokes the matching unrevoked clients (one of an owner's, or all of them) and returns
   * their token families. A client revoked already keeps its first revoked_at.
   */
  async revoke(where: { ownerId: string; id?: string }): Promise<OAuthClientRow[]> {
    let query = this.db
      .updateTable('oauth_clients')
      .set({ revoked_at: sql<Date>`now()` })
      .where('owner_id', '=', where.ownerId)
      .where('revoked_at', 'is', null);
    if (where.id !== undefined) query = query.where('id', '=', where.id);
    return query.returningAll().execute();
  }

  async touch(id: string): Promise<void> {
    await this.db
      .updateTable('oauth_clients')
      .set({ last_used_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
  }
}
