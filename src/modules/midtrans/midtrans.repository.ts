import type { Kysely, Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { MidtransNotificationRow, MidtransTables } from './midtrans.tables.js';

type Executor = Kysely<MidtransTables> | Transaction<MidtransTables>;

/** SQL for the Midtrans module's table (the notifications' audit trail), and nothing else. */
export class MidtransRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): MidtransRepository {
    return new MidtransRepository(tablesOf<MidtransTables>(db));
  }

  async insertNotification(row: {
    orderId: string;
    transactionStatus: string | null;
    signatureValid: boolean;
    outcome: string;
    raw: string;
  }): Promise<void> {
    await this.db
      .insertInto('midtrans_notifications')
      .values({
        order_id: row.orderId,
        transaction_status: row.transactionStatus,
        signature_valid: row.signatureValid,
        outcome: row.outcome,
        raw: row.raw,
      })
      .execute();
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
