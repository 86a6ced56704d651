import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { MidtransNotificationRow, MidtransTables } from './midtrans.tables.js';

type Executor = Kysely<MidtransTables> | Transaction<MidtransTables>;

/** SQL for the Midtrans module's tables (the notifications' audit trail), and nothing else. */
export class MidtransRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): MidtransRepository {
    return new MidtransRepository(tablesOf<MidtransTables>(db));
  }

  /** The same repository inside the caller's transaction. */
  static in(trx: Transaction<object>): MidtransRepository {
    return new MidtransRepository(trx as unknown as Transaction<MidtransTables>);
  }

  async insertNotification(row: {
    orderId: string;
    transactionStatus: string | null;
    signatureValid: boolean;
    outcome: string;
    raw: string | null;
    rawSample: string | null;
  }): Promise<void> {
    await this.db
      .insertInto('midtrans_notifications')
      .values({
        order_id: row.orderId,
        transaction_status: row.transactionStatus,
        signature_valid: row.signatureValid,
        outcome: row.outcome,
        raw: row.raw,
        raw_sample: row.rawSample,
      })
      .execute();
  }

  /** Adds one to the forgeries' count; its row stays locked until the transaction ends. */
  async countForged(): Promise<void> {
    await this.db
      .updateTable('midtrans_forged_notifications_count')
      .set({ total: sql`total + 1`, last_received_at: sql`now()` })
      .execute();
  }

  /** Deletes all forged notifications but the newest `keep`. */
  async pruneForged(keep: number): Promise<void> {
    await this.db
      .deleteFrom('midtrans_notifications')
      .where('signature_valid', '=', false)
      .where(
        'id',
        'in',
        this.db
          .selectFrom('midtrans_notifications')
          .select('id')
          .where('signature_valid', '=', false)
          .orderBy('received_at', 'desc')
          .orderBy('id', 'desc')
          .offset(keep),
      )
      .execute();
  }

  async forgedCount(): Promise<{ total: number; lastReceivedAt: Date | null }> {
    const row = await this.db
      .selectFrom('midtrans_forged_notifications_count')
      .select(['total', 'last_received_at'])
      .executeTakeFirst();
    return { total: Number(row?.total ?? 0), lastReceivedAt: row?.last_received_at ?? null };
  }

  /** Newest first; the caller bounds `limit`. */
  listNotifications(filter: {
    outcome?: string;
    orderId?: string;
    limit: number;
  }): Promise<MidtransNotificationRow[]> {
    let query = this.db.selectFrom('midtrans_notifications').selectAll();
    if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
    if (filter.orderId) query = query.where('order_id', '=', filter.orderId);
    return query.orderBy('received_at', 'desc').orderBy('id').limit(filter.limit).execute();
  }
}
