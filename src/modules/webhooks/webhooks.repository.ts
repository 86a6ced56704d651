import { randomUUID } from 'node:crypto';
import { deleteFinishedBefore } from '../../platform/db/batched-delete.js';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { type EncryptedColumns, fieldContext } from '../../platform/crypto/reencrypt.js';
import { tablesOf } from '../../platform/db/database.js';
import type { AttemptRow, DeliveryRow, EndpointRow, WebhooksTables } from './webhooks.tables.js';
import { currentTraceparent } from '../../platform/tracing/tracing.js';

export type ClaimedDelivery = DeliveryRow & { url: string; secret: string };

/** The webhooks module's encrypted columns, for the rotation job (collected in src/encrypted-columns.ts). */
export const webhooksEncryptedColumns: EncryptedColumns[] = [
  { table: 'webhook_endpoints', key: ['id'], columns: ['secret'] },
];

const secretContext = (endpointId: string) => fieldContext('webhook_endpoints', 'secret', endpointId);

/**
 * SQL of the webhooks module, and nothing else. Signing secrets are stored encrypted and
 * decrypted here, so the service only ever sees them in plaintext.
 */
export class WebhooksRepository {
  private readonly db: Kysely<WebhooksTables>;

  constructor(
    db: Kysely<object>,
    private readonly ring: KeyRing,
  ) {
    this.db = tablesOf<WebhooksTables>(db);
  }

  private opened(row: EndpointRow): EndpointRow {
    return { ...row, secret: this.ring.open(row.secret, secretContext(row.id)) };
  }

  private of(trx?: Transaction<object>): Kysely<WebhooksTables> {
    return trx ? tablesOf<WebhooksTables>(trx) : this.db;
  }

  transaction<T>(fn: (trx: Transaction<object>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(trx as unknown as Transaction<object>));
  }

  /** The id is made here: it is part of the secret's encryption context. */
  async insertEndpoint(row: { owner_id: string; url: string; event_types: string[]; secret: string }) {
    const id = randomUUID();
    const inserted = await this.db
      .insertInto('webhook_endpoints')
      .values({
        id,
        owner_id: row.owner_id,
        url: row.url,
        // An explicit array literal: PGlite and pg serialise JS arrays differently.
        event_types: sql<string[]>`ARRAY[${sql.join(row.event_types)}]::text[]`,
        secret: this.ring.encrypt(row.secret, secretContext(id)),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.opened(inserted);
  }

  async countEndpoints(ownerId: string): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
      .where('owner_id', '=', ownerId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listEndpoints(ownerId: string | undefined, limit: number): Promise<EndpointRow[]> {
    let query = this.db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id');
    if (ownerId) query = query.where('owner_id', '=', ownerId);
    const rows = await query.limit(limit).execute();
    return rows.map((row) => this.opened(row));
  }

  async findEndpoint(id: string): Promise<EndpointRow | undefined> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.opened(row);
  }

  /** An owner's endpoints with how many deliveries each has in each status, for an export. */
  async deliveryCounts(endpointIds: readonly string[]) {
    if (endpointIds.length === 0) return [];
    return this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => ['endpoint_id', 'status', eb.fn.countAll<string>().as('count')])
      .where('endpoint_id', 'in', [...endpointIds])
      .groupBy(['endpoint_id', 'status'])
      .execute();
  }

  /** Erasure: every endpoint of the owner, their deliveries and attempts (cascade), in `trx`. */
  async deleteEndpointsOf(trx: Transaction<object>, ownerId: string): Promise<void> {
    await this.of(trx).deleteFrom('webhook_endpoints').where('owner_id', '=', ownerId).execute();
  }

  /** Retention: deliveries finished (delivered or failed) before `cutoff`, a batch at a time. */
  deleteDeliveriesOlderThan(cutoff: Date, batch = 1_000): Promise<number> {
    return deleteFinishedBefore(this.db as Kysely<object>, 'webhook_deliveries', cutoff, batch);
  }

  /** Deliveries and their attempts go with the endpoint (ON DELETE CASCADE). */
  async deleteEndpoint(id: string): Promise<void> {
    await this.db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
  }

  subscribedEndpointIds(
    trx: Transaction<object>,
    ownerIds: string[],
    type: string,
  ): Promise<{ id: string; owner_id: string }[]> {
    return this.of(trx)
      .selectFrom('webhook_endpoints')
      .select(['id', 'owner_id'])
      .where('status', '=', 'enabled')
      .where('owner_id', 'in', ownerIds)
      .where(sql<boolean>`(${type}::text = ANY(event_types) OR '*' = ANY(event_types))`)
      .execute();
  }

  /** The enabled endpoints of these owners, with the event types each is subscribed to. */
  enabledEndpointsOf(
    trx: Transaction<object>,
    ownerIds: readonly string[],
  ): Promise<{ id: string; owner_id: string; event_types: string[] }[]> {
    return this.of(trx)
      .selectFrom('webhook_endpoints')
      .select(['id', 'owner_id', 'event_types'])
      .where('status', '=', 'enabled')
      .where('owner_id', 'in', ownerIds)
      .execute();
  }

  async insertDeliveries(
    trx: Transaction<object> | undefined,
    rows: { endpoint_id: string; event_id: string; event_type: string; payload: string }[],
  ): Promise<DeliveryRow[]> {
    if (rows.length === 0) return [];
    const traceContext = currentTraceparent() ?? null;
    return this.of(trx)
      .insertInto('webhook_deliveries')
      .values(rows.map((row) => ({ ...row, trace_context: traceContext })))
      .returningAll()
      .execute();
  }

  findDeliveryWithOwner(id: string) {
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .selectAll('d')
      .select(['e.owner_id', 'e.status as endpoint_status'])
      .where('d.id', '=', id)
      .executeTakeFirst();
  }

  listDeliveries(endpointId: string, limit: number): Promise<DeliveryRow[]> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  async attemptsOf(deliveryIds: string[]): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', 'in', deliveryIds)
      .orderBy('attempted_at')
      .orderBy('id')
      .execute();
  }

  /**
   * Takes up to `limit` due deliveries for this process: the rows are locked with SKIP
   * LOCKED (another instance claiming at the same moment takes others) and their
   * `next_attempt_at` is pushed `leaseMs` ahead before commit, so no one else picks them
   * while the HTTP call runs outside any transaction. A process that dies mid-delivery
   * leaves the lease to expire and the delivery is retried: at-least-once.
   */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
        .select('d.id')
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', sql<Date>`now()`)
        .where('e.status', '=', 'enabled')
        .orderBy('d.next_attempt_at')
        .limit(limit)
        .forUpdate('d')
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      const claimed = await trx
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
        .where(
          'id',
          'in',
          due.map((row) => row.id),
        )
        .returningAll()
        .execute();
      const endpoints = await trx
        .selectFrom('webhook_endpoints')
        .select(['id', 'url', 'secret'])
        .where('id', 'in', [...new Set(claimed.map((row) => row.endpoint_id))])
        .execute();
      const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
      return claimed.map((row) => {
        const endpoint = byId.get(row.endpoint_id)!;
        return {
          ...row,
          url: endpoint.url,
          secret: this.ring.open(endpoint.secret, secretContext(endpoint.id)),
        };
      });
    });
  }

  /**
   * Records a delivered attempt in one statement, its own transaction: the attempt logged,
   * the delivery marked delivered, the endpoint's failure streak cleared (written only when
   * there is one, so deliveries to a healthy endpoint do not queue on its row). Only if the
   * delivery is still as claimed (pending, after `attempts` attempts); false, with nothing
   * written, if it moved on meanwhile (lease expired and taken by another worker, deleted).
   */
  async recordDelivered(
    id: string,
    attempts: number,
    outcome: { statusCode: number; durationMs: number },
  ): Promise<boolean> {
    const { rows } = await sql<{ delivered: number }>`
      WITH delivered AS (
        UPDATE webhook_deliveries SET
          status = 'delivered', attempts = attempts + 1, last_status_code = ${outcome.statusCode},
          last_error = NULL, delivered_at = now()
        WHERE id = ${id} AND status = 'pending' AND attempts = ${attempts}
        RETURNING id, endpoint_id
      ), logged AS (
        INSERT INTO webhook_attempts (delivery_id, status_code, error, duration_ms)
        SELECT id, ${outcome.statusCode}, NULL, ${outcome.durationMs} FROM delivered
      ), healthy AS (
        UPDATE webhook_endpoints SET failure_streak = 0, failing_since = NULL
        WHERE id = (SELECT endpoint_id FROM delivered)
          AND (failure_streak <> 0 OR failing_since IS NOT NULL)
      )
      SELECT count(*)::int AS delivered FROM delivered`.execute(this.db);
    return rows[0]!.delivered === 1;
  }

  /** The delivery as claimed, locked; undefined if it moved on meanwhile (lease expired, deleted). */
  lockClaimed(trx: Transaction<object>, id: string, attempts: number) {
    return this.of(trx)
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('attempts', '=', attempts)
      .forUpdate()
      .executeTakeFirst();
  }

  async insertAttempt(
    trx: Transaction<object>,
    row: { delivery_id: string; status_code: number | null; error: string | null; duration_ms: number },
  ): Promise<void> {
    await this.of(trx).insertInto('webhook_attempts').values(row).execute();
  }

  async markFailedAttempt(
    trx: Transaction<object>,
    id: string,
    outcome: { statusCode: number | null; error: string | null; retryInMs: number | null },
  ): Promise<void> {
    await this.of(trx)
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: outcome.retryInMs === null ? 'failed' : 'pending',
        attempts: eb('attempts', '+', 1),
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        ...(outcome.retryInMs === null
          ? {}
          : { next_attempt_at: sql<Date>`now() + ${outcome.retryInMs} * interval '1 millisecond'` }),
      }))
      .where('id', '=', id)
      .execute();
  }

  countFailure(trx: Transaction<object>, endpointId: string) {
    return this.of(trx)
      .updateTable('webhook_endpoints')
      .set((eb) => ({
        failure_streak: eb('failure_streak', '+', 1),
        failing_since: sql<Date>`coalesce(failing_since, now())`,
      }))
      .where('id', '=', endpointId)
      .returning(['failure_streak', 'failing_since', 'status'])
      .executeTakeFirst();
  }

  /** Disables an endpoint and fails what was still waiting for it. */
  async disableEndpoint(trx: Transaction<object>, endpointId: string): Promise<void> {
    await this.of(trx)
      .updateTable('webhook_endpoints')
      .set({ status: 'disabled', disabled_at: sql<Date>`now()` })
      .where('id', '=', endpointId)
      .where('status', '=', 'enabled')
      .execute();
    await this.of(trx)
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: 'endpoint disabled after repeated failures' })
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .execute();
  }
}
