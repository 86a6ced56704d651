import type { Kysely, Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { TopUpRow, WalletsTables } from './wallets.tables.js';
import type { TopUpStatus } from './wallets.rules.js';

type Executor = Kysely<WalletsTables> | Transaction<WalletsTables>;

/**
 * SQL for the wallets module's table (top-ups), and nothing else. It never opens a
 * transaction: a service that needs one opens it and builds the repository `in` it.
 */
export class WalletsRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): WalletsRepository {
    return new WalletsRepository(tablesOf<WalletsTables>(db));
  }

  static in(trx: Transaction<object>): WalletsRepository {
    return new WalletsRepository(trx as unknown as Transaction<WalletsTables>);
  }

  insertTopUp(values: {
    userId: string;
    method: string;
    amountMinor: bigint;
    currency: string;
  }): Promise<TopUpRow> {
    return this.db
      .insertInto('wallet_top_ups')
      .values({
        user_id: values.userId,
        method: values.method,
        amount_minor: values.amountMinor,
        currency: values.currency,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  setPaymentPage(id: string, page: { paymentUrl: string; token: string }): Promise<TopUpRow> {
    return this.db
      .updateTable('wallet_top_ups')
      .set({ payment_url: page.paymentUrl, token: page.token, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Fails the top-up unless it moved on meanwhile (a notification may have settled it). */
  async failIfPending(id: string, failureCode: string): Promise<void> {
    await this.db
      .updateTable('wallet_top_ups')
      .set({ status: 'failed', failure_code: failureCode, updated_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Which of these ids are top-ups of `userId`'s (a statement names those by their own id). */
  async topUpIdsOf(userId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('wallet_top_ups')
      .select('id')
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  findTopUp(id: string): Promise<TopUpRow | undefined> {
    return this.db.selectFrom('wallet_top_ups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Only meaningful on a repository built `in` a transaction: the lock lasts until it ends. */
  lockTopUp(id: string): Promise<TopUpRow | undefined> {
    return this.db
      .selectFrom('wallet_top_ups')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  async resolveTopUp(
    id: string,
    outcome: { status: TopUpStatus; ledgerTransactionId: string | null; failureCode: string | null },
  ): Promise<void> {
    await this.db
      .updateTable('wallet_top_ups')
      .set({
        status: outcome.status,
        ledger_transaction_id: outcome.ledgerTransactionId,
        failure_code: outcome.failureCode,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  }
}
