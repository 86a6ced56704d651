import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import { tablesOf } from '../db/database.js';
import type { Revocation, RevocationStore } from './revoked-sessions.js';

interface RevokedSessionsTables {
  revoked_sessions: { session_id: string; expires_at: Date };
}

/**
 * Revocations in the `revoked_sessions` table: the default without Redis, shared by every
 * process on one database (the split deployment too) and kept across restarts.
 */
export function databaseRevocationStore(database: Kysely<object>): RevocationStore {
  const db = tablesOf<RevokedSessionsTables>(database);
  return {
    async add(revocations) {
      await db
        .insertInto('revoked_sessions')
        .values(revocations.map(([session_id, ms]) => ({ session_id, expires_at: new Date(ms) })))
        .onConflict((conflict) =>
          conflict
            .column('session_id')
            .doUpdateSet({ expires_at: sql`greatest(revoked_sessions.expires_at, excluded.expires_at)` }),
        )
        .execute();
      // Revocations are rare next to reads: tidying up here keeps the table to the live ones.
      await db
        .deleteFrom('revoked_sessions')
        .where('expires_at', '<', sql<Date>`now()`)
        .execute();
    },
    // No LIMIT: the rows in force are those of the last access-token lifetime, a bounded set.
    async expiringAfter(afterMs) {
      const rows = await db
        .selectFrom('revoked_sessions')
        .select(['session_id', 'expires_at'])
        .where('expires_at', '>', new Date(afterMs))
        .execute();
      return rows.map((row): Revocation => [row.session_id, row.expires_at.getTime()]);
    },
  };
}

const KEY = 'mamlaka:revoked-sessions';
const CONNECT_WAIT_MS = 2_000;

/**
 * Revocations in one Redis sorted set (member: session id, score: expiry), read by score.
 * The set expires soon after its newest member, so an idle deployment leaves nothing behind.
 */
export function redisRevocationStore(redis: Redis): RevocationStore {
  // The shared client refuses commands until connected (rate limits must not queue); the
  // first sync runs at boot, usually before that.
  const connected = async () => {
    if (redis.status === 'ready') return;
    await once(redis, 'ready', { signal: AbortSignal.timeout(CONNECT_WAIT_MS) });
  };
  return {
    async add(revocations) {
      await connected();
      const latestMs = Math.max(...revocations.map(([, ms]) => ms));
      const results = await redis
        .multi()
        .zadd(KEY, ...revocations.flatMap(([id, ms]) => [ms, id]))
        .zremrangebyscore(KEY, '-inf', Date.now())
        // A minute's margin: another instance's clock may put its members a little later.
        .pexpire(KEY, latestMs - Date.now() + 60_000)
        .exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (!results || failed) throw failed ?? new Error('the revocation transaction was discarded');
    },
    async expiringAfter(afterMs) {
      await connected();
      const flat = await redis.zrangebyscore(KEY, `(${afterMs}`, '+inf', 'WITHSCORES');
      const revocations: Revocation[] = [];
      for (let i = 0; i < flat.length; i += 2) revocations.push([flat[i]!, Number(flat[i + 1])]);
      return revocations;
    },
  };
}
