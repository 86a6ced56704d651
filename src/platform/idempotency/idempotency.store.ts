import { randomUUID } from 'node:crypto';
import { type Generated, type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { KeyRing } from '../crypto/keyring.js';
import { type EncryptedColumns, fieldContext } from '../crypto/reencrypt.js';
import { tablesOf } from '../db/database.js';
import { DEFAULT_LEASE_MS, type KeyRecord, RETENTION_MS } from './idempotency.rules.js';

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  status: 'in_flight' | 'completed';
  lock_id: string | null;
  locked_until: Date | null;
  response_status: number | null;
  response_content_type: string | null;
  response_body: string | null;
  created_at: Generated<Date>;
  completed_at: Date | null;
  expires_at: Date;
}

interface IdempotencyTables {
  idempotency_keys: IdempotencyKeysTable;
}

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

/** One request's identity under a key. */
export interface KeyedRequest {
  scope: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
}

/** Proof of holding a key: only the holder's `lockId` may renew, complete or release it. */
export interface Claim {
  scope: string;
  key: string;
  lockId: string;
}

export interface StoredResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/**
 * Stored responses are encrypted: a replayed answer may hold personal data or a secret
 * shown once. The rotation job finds them here (collected in src/encrypted-columns.ts).
 */
export const idempotencyEncryptedColumns: EncryptedColumns[] = [
  { table: 'idempotency_keys', key: ['scope', 'key'], columns: ['response_body'] },
];

const bodyContext = (scope: string, key: string) =>
  fieldContext('idempotency_keys', 'response_body', [scope, key]);

/** Rows deleted per statement by the cleanup, so it never holds a long lock. */
const DELETE_BATCH = 1_000;

/**
 * SQL for `idempotency_keys`, and nothing else. Every time comes from the database's
 * clock, so instances with skewed clocks agree on whose lease has run out.
 */
export class IdempotencyStore {
  private readonly db: Kysely<IdempotencyTables>;
  readonly leaseMs: number;
  readonly retentionMs: number;
  private readonly ring: KeyRing | undefined;

  /** @param options.keyring encrypts stored responses; without one (unit-level tests) they are kept as they are. */
  constructor(
    db: Kysely<object>,
    options: { leaseMs?: number; retentionMs?: number; keyring?: KeyRing } = {},
  ) {
    this.db = tablesOf<IdempotencyTables>(db);
    this.ring = options.keyring;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.retentionMs = options.retentionMs ?? RETENTION_MS;
    if (!(this.leaseMs >= 1)) throw new Error('the idempotency lease must be at least 1 ms');
    if (!(this.retentionMs >= RETENTION_MS)) throw new Error('idempotency keys must be kept at least 24 h');
  }

  private static later(ms: number): RawBuilder<Date> {
    return sql<Date>`now() + ${ms}::double precision * interval '1 millisecond'`;
  }

  /**
   * Takes a free key for `request`, atomically: of any number of concurrent claims of one
   * key exactly one gets a Claim, the rest `undefined` (then `read` says why).
   */
  async claim(request: KeyedRequest): Promise<Claim | undefined> {
    const lockId = randomUUID();
    const row = await this.db
      .insertInto('idempotency_keys')
      .values({
        ...request,
        status: 'in_flight',
        lock_id: lockId,
        locked_until: IdempotencyStore.later(this.leaseMs),
        expires_at: IdempotencyStore.later(this.retentionMs),
      })
      .onConflict((conflict) => conflict.columns(['scope', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    return row ? { scope: request.scope, key: request.key, lockId } : undefined;
  }

  /** The key's record and the database's current time, to decide against. */
  async read(
    scope: string,
    key: string,
  ): Promise<{ record: KeyRecord; row: IdempotencyRow; now: Date } | undefined> {
    const found = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .select(sql<Date>`now()`.as('db_now'))
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!found) return undefined;
    const { db_now: now, ...stored } = found;
    const row =
      this.ring && stored.response_body !== null
        ? { ...stored, response_body: this.ring.open(stored.response_body, bodyContext(scope, key)) }
        : stored;
    const record: KeyRecord =
      row.status === 'in_flight'
        ? {
            status: 'in_flight',
            fingerprint: row.fingerprint,
            lockedUntil: row.locked_until!,
            expiresAt: row.expires_at,
          }
        : { status: 'completed', fingerprint: row.fingerprint, expiresAt: row.expires_at };
    return { record, row, now };
  }

  /**
   * Claims a dead record: one past retention, or one held by `request`'s own fingerprint
   * whose lease has run out. The condition is re-checked by the UPDATE itself, so of two
   * concurrent take-overs the second finds the lease renewed and gets `undefined`.
   */
  async takeOver(request: KeyedRequest): Promise<Claim | undefined> {
    const lockId = randomUUID();
    const row = await this.db
      .updateTable('idempotency_keys')
      .set({
        fingerprint: request.fingerprint,
        method: request.method,
        path: request.path,
        status: 'in_flight',
        lock_id: lockId,
        locked_until: IdempotencyStore.later(this.leaseMs),
        response_status: null,
        response_content_type: null,
        response_body: null,
        created_at: sql<Date>`now()`,
        completed_at: null,
        expires_at: IdempotencyStore.later(this.retentionMs),
      })
      .where('scope', '=', request.scope)
      .where('key', '=', request.key)
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', sql<Date>`now()`),
          eb.and([
            eb('status', '=', 'in_flight'),
            eb('fingerprint', '=', request.fingerprint),
            eb('locked_until', '<', sql<Date>`now()`),
          ]),
        ]),
      )
      .returning('key')
      .executeTakeFirst();
    return row ? { scope: request.scope, key: request.key, lockId } : undefined;
  }

  /** Renews the holder's lease. False when the claim was lost (taken over or gone). */
  async extendLease(claim: Claim): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .set({ locked_until: IdempotencyStore.later(this.leaseMs) })
      .where('scope', '=', claim.scope)
      .where('key', '=', claim.key)
      .where('status', '=', 'in_flight')
      .where('lock_id', '=', claim.lockId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Stores the response the holder gave and keeps it for the retention period. False when
   * the claim was lost, in which case nothing is written.
   */
  async complete(claim: Claim, response: StoredResponse): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .set({
        status: 'completed',
        lock_id: null,
        locked_until: null,
        response_status: response.status,
        response_content_type: response.contentType,
        response_body: this.ring
          ? this.ring.encrypt(response.body, bodyContext(claim.scope, claim.key))
          : response.body,
        completed_at: sql<Date>`now()`,
        expires_at: IdempotencyStore.later(this.retentionMs),
      })
      .where('scope', '=', claim.scope)
      .where('key', '=', claim.key)
      .where('status', '=', 'in_flight')
      .where('lock_id', '=', claim.lockId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Frees the key for a retry (the request failed and its work was rolled back). */
  async release(claim: Claim): Promise<boolean> {
    const result = await this.db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', claim.scope)
      .where('key', '=', claim.key)
      .where('status', '=', 'in_flight')
      .where('lock_id', '=', claim.lockId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Deletes every key past its retention, in bounded batches. Returns how many went. */
  async deleteExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.db
        .deleteFrom('idempotency_keys')
        // Checked again on the row itself: a key taken over since the batch was chosen stays.
        .where('expires_at', '<=', sql<Date>`now()`)
        .where(({ eb, refTuple, selectFrom }) =>
          eb(
            refTuple('scope', 'key'),
            'in',
            selectFrom('idempotency_keys')
              .select(['scope', 'key'])
              .where('expires_at', '<=', sql<Date>`now()`)
              .limit(DELETE_BATCH)
              .$asTuple('scope', 'key'),
          ),
        )
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows);
      total += deleted;
      if (deleted < DELETE_BATCH) return total;
    }
  }
}
