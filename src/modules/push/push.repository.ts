import { type Kysely, sql, type Transaction } from 'kysely';
import { deleteFinishedBefore } from '../../platform/db/batched-delete.js';
import { extendClaims } from '../../platform/db/claim-lease.js';
import { rowSlices } from '../../platform/db/row-slices.js';
import { tablesOf } from '../../platform/db/database.js';
import type {
  PushDeliveriesTable,
  PushDeliveryRow,
  PushDeliveryStatus,
  PushSubscriptionRow,
  PushTables,
} from './push.tables.js';

export type NewSubscription = Pick<
  PushSubscriptionRow,
  'user_id' | 'endpoint' | 'p256dh' | 'auth' | 'user_agent'
>;
export type NewDelivery = Pick<
  PushDeliveriesTable,
  'subscription_id' | 'event_id' | 'event_type' | 'user_id' | 'payload' | 'urgency'
>;

/** SQL of the push module, and nothing else. */
export class PushRepository {
  private readonly db: Kysely<PushTables>;

  constructor(db: Kysely<object>) {
    this.db = tablesOf<PushTables>(db);
  }

  /**
   * Stores a browser's subscription for a user. The same endpoint again from the same user
   * takes the new keys; from another user (a shared browser, someone else signed in) it
   * becomes a new subscription and the old one goes with its queued pushes, so nothing
   * meant for the previous user reaches the new one. Then only the user's `keep` most
   * recently subscribed browsers are kept.
   */
  saveSubscription(input: NewSubscription, keep: number): Promise<PushSubscriptionRow> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('push_subscriptions')
        .selectAll()
        .where('endpoint', '=', input.endpoint)
        .forUpdate()
        .executeTakeFirst();
      let saved: PushSubscriptionRow;
      if (existing && existing.user_id === input.user_id) {
        saved = await trx
          .updateTable('push_subscriptions')
          .set({
            p256dh: input.p256dh,
            auth: input.auth,
            user_agent: input.user_agent,
            updated_at: sql<Date>`now()`,
          })
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      } else {
        if (existing) await trx.deleteFrom('push_subscriptions').where('id', '=', existing.id).execute();
        // A concurrent first subscribe of the same endpoint loses on the unique index and
        // fails; the browser's retry then finds the row.
        saved = await trx
          .insertInto('push_subscriptions')
          .values(input)
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      await trx
        .deleteFrom('push_subscriptions')
        .where('user_id', '=', input.user_id)
        .where(
          'id',
          'not in',
          trx
            .selectFrom('push_subscriptions')
            .select('id')
            .where('user_id', '=', input.user_id)
            .orderBy('updated_at', 'desc')
            .orderBy('id', 'desc')
            .limit(keep),
        )
        .execute();
      return saved;
    });
  }

  /** Deletes one of the user's subscriptions (and its queued pushes); false when it is not theirs. */
  async deleteSubscription(id: string, userId: string): Promise<boolean> {
    const deleted = await this.db
      .deleteFrom('push_subscriptions')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returning('id')
      .executeTakeFirst();
    return deleted !== undefined;
  }

  /** A user's browsers (endpoints and times, not their keys), newest first, for an export. */
  subscriptionsOfUser(userId: string, limit: number) {
    return this.db
      .selectFrom('push_subscriptions')
      .select(['id', 'endpoint', 'user_agent', 'created_at', 'updated_at'])
      .where('user_id', '=', userId)
      .orderBy('updated_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** Erasure: every browser of the user and what was queued for them, in `trx`. */
  async eraseUser(trx: Transaction<object>, userId: string): Promise<void> {
    const db = tablesOf<PushTables>(trx);
    await db.deleteFrom('push_deliveries').where('user_id', '=', userId).execute();
    await db.deleteFrom('push_subscriptions').where('user_id', '=', userId).execute();
  }

  /** Retention: pushes finished (sent or failed) before `cutoff`, a batch at a time. */
  deleteDeliveriesOlderThan(cutoff: Date, batch = 1_000): Promise<number> {
    return deleteFinishedBefore(this.db as Kysely<object>, 'push_deliveries', cutoff, batch);
  }

  /** A subscription the push service says is gone (404/410), with everything queued for it. */
  async forgetSubscription(id: string): Promise<void> {
    await this.db.deleteFrom('push_subscriptions').where('id', '=', id).execute();
  }

  subscriptionsOf(trx: Transaction<object>, userIds: readonly string[], limit: number) {
    if (userIds.length === 0) return Promise.resolve([]);
    return tablesOf<PushTables>(trx)
      .selectFrom('push_subscriptions')
      .select(['id', 'user_id'])
      .where('user_id', 'in', [...userIds])
      .orderBy('updated_at', 'desc')
      .limit(limit)
      .execute();
  }

  subscriptionsByIds(ids: readonly string[]): Promise<PushSubscriptionRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('push_subscriptions')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
  }

  /** Queues pushes; one already queued for the same (event, subscription) is left alone. */
  async insertDeliveries(trx: Transaction<object>, rows: readonly NewDelivery[]): Promise<number> {
    let inserted = 0;
    for (const slice of rowSlices(rows)) {
      const ids = await tablesOf<PushTables>(trx)
        .insertInto('push_deliveries')
        .values([...slice])
        .onConflict((conflict) => conflict.columns(['event_id', 'subscription_id']).doNothing())
        .returning('id')
        .execute();
      inserted += ids.length;
    }
    return inserted;
  }

  /**
   * Takes up to `limit` due pushes and hides them from other senders for `leaseMs`. A
   * sender that dies mid-send leaves the lease to expire, and the push is tried again.
   */
  claimDue(limit: number, leaseMs: number): Promise<PushDeliveryRow[]> {
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('push_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      return trx
        .updateTable('push_deliveries')
        .set({ next_attempt_at: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
        .where(
          'id',
          'in',
          due.map((row) => row.id),
        )
        .returningAll()
        .execute();
    });
  }

  /** Moves the lease of pushes still being sent ahead (see keepingClaim). */
  extendClaims(claimed: readonly PushDeliveryRow[], leaseMs: number): Promise<void> {
    return extendClaims(this.db as Kysely<object>, 'push_deliveries', claimed, leaseMs);
  }

  /** Records an attempt's outcome, unless the push moved on meanwhile (its lease expired). */
  async recordAttempt(
    delivery: PushDeliveryRow,
    outcome: {
      status: PushDeliveryStatus;
      statusCode: number | null;
      error: string | null;
      retryInMs?: number;
    },
  ): Promise<void> {
    await this.db
      .updateTable('push_deliveries')
      .set({
        status: outcome.status,
        attempts: delivery.attempts + 1,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        ...(outcome.status === 'sent' ? { sent_at: sql<Date>`now()` } : {}),
        ...(outcome.retryInMs !== undefined
          ? { next_attempt_at: sql<Date>`now() + ${outcome.retryInMs} * interval '1 millisecond'` }
          : {}),
      })
      .where('id', '=', delivery.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', delivery.attempts)
      .execute();
  }
}
