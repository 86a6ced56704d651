import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { type EncryptedColumns, fieldContext } from '../../platform/crypto/reencrypt.js';
import { tablesOf } from '../../platform/db/database.js';
import { lastFour } from './payouts.rules.js';
import type { BankPayoutStatus } from './payouts.state.js';
import type { DestinationRow, IrisPayoutRow, PayoutsTables, ScheduleRow } from './payouts.tables.js';

/** The payouts module's encrypted columns, for the rotation job (collected in src/encrypted-columns.ts). */
export const payoutsEncryptedColumns: EncryptedColumns[] = [
  { table: 'payout_destinations', key: ['id'], columns: ['account_number', 'holder_name'] },
];

const context = (column: 'account_number' | 'holder_name', id: string) =>
  fieldContext('payout_destinations', column, id);

type Executor = Kysely<PayoutsTables> | Transaction<PayoutsTables>;

/**
 * SQL of the payouts module, and nothing else. Account numbers and holder names are
 * encrypted and decrypted here, so the service only ever sees them in plaintext. It never
 * opens a transaction: a service that needs one builds the repository `in` it.
 */
export class PayoutsRepository {
  constructor(
    private readonly db: Executor,
    private readonly ring: KeyRing,
  ) {}

  static of(db: Kysely<object>, ring: KeyRing): PayoutsRepository {
    return new PayoutsRepository(tablesOf<PayoutsTables>(db), ring);
  }

  static in(trx: Transaction<object>, ring: KeyRing): PayoutsRepository {
    return new PayoutsRepository(trx as unknown as Transaction<PayoutsTables>, ring);
  }

  private opened(row: DestinationRow): DestinationRow {
    return {
      ...row,
      account_number: this.ring.open(row.account_number, context('account_number', row.id)),
      holder_name: this.ring.open(row.holder_name, context('holder_name', row.id)),
    };
  }

  /** Serialises one seller's destination changes until the transaction ends (count and default stay true). */
  async lockSeller(sellerId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`payout_destinations:${sellerId}`}, 0))`.execute(
      this.db,
    );
  }

  async insertDestination(values: {
    sellerId: string;
    bankCode: string;
    accountNumber: string;
    holderName: string;
    isDefault: boolean;
  }): Promise<DestinationRow> {
    const id = randomUUID();
    const row = await this.db
      .insertInto('payout_destinations')
      .values({
        id,
        seller_id: values.sellerId,
        bank_code: values.bankCode,
        account_number: this.ring.encrypt(values.accountNumber, context('account_number', id)),
        account_last4: lastFour(values.accountNumber),
        holder_name: this.ring.encrypt(values.holderName, context('holder_name', id)),
        is_default: values.isDefault,
        removed_at: null,
        iris_beneficiary: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.opened(row);
  }

  async listDestinations(sellerId: string, limit: number): Promise<DestinationRow[]> {
    const rows = await this.db
      .selectFrom('payout_destinations')
      .selectAll()
      .where('seller_id', '=', sellerId)
      .where('removed_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => this.opened(row));
  }

  /** Removed ones included: a payout on its way still goes where it was sent. */
  async findDestination(id: string): Promise<DestinationRow | undefined> {
    const row = await this.db
      .selectFrom('payout_destinations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.opened(row);
  }

  async defaultDestination(sellerId: string): Promise<DestinationRow | undefined> {
    const row = await this.db
      .selectFrom('payout_destinations')
      .selectAll()
      .where('seller_id', '=', sellerId)
      .where('is_default', '=', true)
      .executeTakeFirst();
    return row && this.opened(row);
  }

  /** Marks it removed (and no longer default); false when the seller has no such destination. */
  async removeDestination(sellerId: string, id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('payout_destinations')
      .set({ removed_at: new Date(), is_default: false })
      .where('id', '=', id)
      .where('seller_id', '=', sellerId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Makes the seller's oldest remaining destination the default when none is. */
  async ensureDefault(sellerId: string): Promise<void> {
    if (await this.defaultDestination(sellerId)) return;
    const oldest = await this.listDestinations(sellerId, 1);
    if (oldest[0]) {
      await this.db
        .updateTable('payout_destinations')
        .set({ is_default: true })
        .where('id', '=', oldest[0].id)
        .execute();
    }
  }

  async clearDefault(sellerId: string): Promise<void> {
    await this.db
      .updateTable('payout_destinations')
      .set({ is_default: false })
      .where('seller_id', '=', sellerId)
      .where('is_default', '=', true)
      .execute();
  }

  async setBeneficiary(id: string, alias: string): Promise<void> {
    await this.db
      .updateTable('payout_destinations')
      .set({ iris_beneficiary: alias })
      .where('id', '=', id)
      .execute();
  }

  findSchedule(sellerId: string): Promise<ScheduleRow | undefined> {
    return this.db
      .selectFrom('payout_schedules')
      .selectAll()
      .where('seller_id', '=', sellerId)
      .executeTakeFirst();
  }

  upsertSchedule(row: Omit<ScheduleRow, 'last_period' | 'updated_at'>): Promise<ScheduleRow> {
    const { seller_id: _, ...changes } = row;
    return this.db
      .insertInto('payout_schedules')
      .values({ ...row, last_period: null })
      .onConflict((oc) => oc.column('seller_id').doUpdateSet({ ...changes, updated_at: new Date() }))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Schedules not yet run on `period` that run on `weekday`, a page at a time in seller order. */
  dueSchedules(
    period: string,
    weekday: number,
    after: string | undefined,
    limit: number,
  ): Promise<ScheduleRow[]> {
    let query = this.db
      .selectFrom('payout_schedules')
      .selectAll()
      .where('frequency', '<>', 'off')
      .where((eb) => eb.or([eb('last_period', 'is', null), eb('last_period', '<', period)]))
      .where((eb) => eb.or([eb('frequency', '=', 'daily'), eb('weekday', '=', weekday)]));
    if (after) query = query.where('seller_id', '>', after);
    return query.orderBy('seller_id').limit(limit).execute();
  }

  async markScheduleRun(sellerId: string, period: string): Promise<void> {
    await this.db
      .updateTable('payout_schedules')
      .set({ last_period: period })
      .where('seller_id', '=', sellerId)
      .where((eb) => eb.or([eb('last_period', 'is', null), eb('last_period', '<', period)]))
      .execute();
  }

  /** Once per ledger hold: a replayed request finds the row already there. */
  async insertPayout(row: {
    payoutId: string;
    sellerId: string;
    destinationId: string;
    amountMinor: bigint;
    currency: string;
  }): Promise<void> {
    await this.db
      .insertInto('iris_payouts')
      .values({
        payout_id: row.payoutId,
        seller_id: row.sellerId,
        destination_id: row.destinationId,
        amount_minor: row.amountMinor,
        currency: row.currency,
        reference_no: null,
        failure_code: null,
        failure_message: null,
        reversal_id: null,
      })
      .onConflict((oc) => oc.column('payout_id').doNothing())
      .execute();
  }

  findPayout(payoutId: string): Promise<IrisPayoutRow | undefined> {
    return this.db
      .selectFrom('iris_payouts')
      .selectAll()
      .where('payout_id', '=', payoutId)
      .executeTakeFirst();
  }

  /** Only meaningful `in` a transaction: the lock lasts until it ends. */
  lockPayout(by: { payoutId: string } | { referenceNo: string }): Promise<IrisPayoutRow | undefined> {
    const query = this.db.selectFrom('iris_payouts').selectAll();
    return (
      'payoutId' in by
        ? query.where('payout_id', '=', by.payoutId)
        : query.where('reference_no', '=', by.referenceNo)
    )
      .forUpdate()
      .executeTakeFirst();
  }

  async updatePayout(
    payoutId: string,
    changes: {
      status: BankPayoutStatus;
      referenceNo?: string;
      failureCode?: string | null;
      failureMessage?: string | null;
      reversalId?: string;
    },
  ): Promise<void> {
    await this.db
      .updateTable('iris_payouts')
      .set({
        status: changes.status,
        ...(changes.referenceNo !== undefined ? { reference_no: changes.referenceNo } : {}),
        ...(changes.failureCode !== undefined ? { failure_code: changes.failureCode } : {}),
        ...(changes.failureMessage !== undefined ? { failure_message: changes.failureMessage } : {}),
        ...(changes.reversalId !== undefined ? { reversal_id: changes.reversalId } : {}),
        updated_at: new Date(),
      })
      .where('payout_id', '=', payoutId)
      .execute();
  }

  /** Moves an unchanged payout to the back of the reconciler's line (unless it moved on meanwhile). */
  async touchPayout(payoutId: string, status: BankPayoutStatus): Promise<void> {
    await this.db
      .updateTable('iris_payouts')
      .set({ updated_at: new Date() })
      .where('payout_id', '=', payoutId)
      .where('status', '=', status)
      .execute();
  }

  /** Payouts still waiting on Iris, untouched since `before`, oldest first. */
  openPayouts(before: Date, limit: number): Promise<IrisPayoutRow[]> {
    return this.db
      .selectFrom('iris_payouts')
      .selectAll()
      .where('status', 'in', ['created', 'queued', 'processed'])
      .where('updated_at', '<=', before)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
  }
}
