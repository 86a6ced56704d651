import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { RefundStatus } from './payments.refund-state.js';
import type { PaymentRow, PaymentsTables, RefundRow, RefundsTable } from './payments.tables.js';
import type { Insertable } from 'kysely';

type Executor = Kysely<PaymentsTables> | Transaction<PaymentsTables>;

/** SQL for refunds and the payment counters they move, and nothing else. */
export class RefundsRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): RefundsRepository {
    return new RefundsRepository(tablesOf<PaymentsTables>(db));
  }

  static in(trx: Transaction<object>): RefundsRepository {
    return new RefundsRepository(trx as unknown as Transaction<PaymentsTables>);
  }

  find(id: string, options: { lock?: boolean } = {}): Promise<RefundRow | undefined> {
    let query = this.db.selectFrom('refunds').selectAll().where('id', '=', id);
    if (options.lock) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** The refund someone already asked for with this idempotency key, if any. */
  findByKey(createdBy: string, idempotencyKey: string): Promise<RefundRow | undefined> {
    return this.db
      .selectFrom('refunds')
      .selectAll()
      .where('created_by', '=', createdBy)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
  }

  /** A payment's refunds, oldest first; bounded, since a payment takes few refunds. */
  listForPayment(paymentId: string, limit: number): Promise<RefundRow[]> {
    return this.db
      .selectFrom('refunds')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  insert(refund: Insertable<RefundsTable>): Promise<RefundRow> {
    return this.db.insertInto('refunds').values(refund).returningAll().executeTakeFirstOrThrow();
  }

  /** Moves a refund only from `pending`: two settlers racing cannot both apply. */
  settle(
    id: string,
    to: Exclude<RefundStatus, 'pending'>,
    failure?: { code: string; message: string },
  ): Promise<RefundRow | undefined> {
    return this.db
      .updateTable('refunds')
      .set({
        status: to,
        failure_code: failure?.code ?? null,
        failure_message: failure?.message.slice(0, 500) ?? null,
        next_check_at: null,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
  }

  /** Records an unanswered check, so the next one waits longer. */
  async postpone(id: string, nextCheckAt: Date): Promise<void> {
    await this.db
      .updateTable('refunds')
      .set((eb) => ({ next_check_at: nextCheckAt, check_attempts: eb('check_attempts', '+', 1) }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Pending refunds whose next check is due, oldest first, skipping those another worker holds. */
  due(now: Date, limit: number): Promise<RefundRow[]> {
    return this.db
      .selectFrom('refunds')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  /** Reserves `amountMinor` of the payment for a pending refund; the CHECK bounds the sum. */
  reserve(paymentId: string, amountMinor: bigint): Promise<PaymentRow | undefined> {
    return this.db
      .updateTable('payments')
      .set({
        refund_pending_minor: sql<bigint>`refund_pending_minor + ${amountMinor}`,
        updated_at: new Date(),
      })
      .where('id', '=', paymentId)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * A pending refund's end on its payment: the reservation goes, and when it succeeded the
   * refunded amount grows and the status moves (`status` comes from the state machine).
   */
  release(
    paymentId: string,
    amountMinor: bigint,
    outcome:
      { refunded: true; status: PaymentRow['status']; from: PaymentRow['status'] } | { refunded: false },
  ): Promise<PaymentRow | undefined> {
    let query = this.db
      .updateTable('payments')
      .set({
        refund_pending_minor: sql<bigint>`refund_pending_minor - ${amountMinor}`,
        ...(outcome.refunded
          ? { refunded_minor: sql<bigint>`refunded_minor + ${amountMinor}`, status: outcome.status }
          : {}),
        updated_at: new Date(),
      })
      .where('id', '=', paymentId);
    if (outcome.refunded) query = query.where('status', '=', outcome.from);
    return query.returningAll().executeTakeFirst();
  }
}
