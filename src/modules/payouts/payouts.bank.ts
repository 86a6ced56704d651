import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import {
  conflict,
  invalid,
  invalidField,
  notFound,
  unauthenticated,
  unavailable,
} from '../../platform/errors.js';
import type { Outbox } from '../../platform/events/outbox.js';
import { formatAmount } from '../../platform/money.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { type IrisClient, IrisRefusal } from '../midtrans/iris.client.js';
import {
  IRIS_CURRENCY,
  irisAmount,
  type IrisOutcome,
  irisOutcomeOf,
  isValidIrisSignature,
  parseIrisAmount,
} from '../midtrans/iris.rules.js';
import type { PayoutRoute, RoutedPayout } from '../wallets/wallets.payout-route.js';
import { bankPayoutEvent } from './payouts.events.js';
import { PayoutsRepository } from './payouts.repository.js';
import { stepOf } from './payouts.state.js';
import type { IrisPayoutRow } from './payouts.tables.js';

/** What a notification or a status check did: moved the payout on, repeated what we knew, or was out of order. */
export type SettleOutcome = 'applied' | 'duplicate' | 'ignored';

const MAX_REFERENCE = 100;
const MAX_ERROR_TEXT = 200;

export interface IrisSettings {
  client: IrisClient;
  merchantKey: string;
}

/** A beneficiary alias at Iris: alphanumeric, at most 20 characters, stable per destination. */
const aliasOf = (destinationId: string) => `mk${destinationId.replaceAll('-', '').slice(0, 18)}`;

/**
 * Payouts sent to banks through Midtrans Iris. The money is the ledger hold the payout
 * request made; this settles it from what Iris reports (notifications, or status checks
 * of payouts stuck too long), following payouts.state.ts in one transaction per step, so
 * duplicate and out-of-order reports move the money at most once.
 */
export class BankPayouts implements PayoutRoute {
  constructor(
    private readonly db: Kysely<object>,
    private readonly ring: KeyRing,
    private readonly ledger: LedgerService,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly iris: IrisSettings | undefined,
  ) {}

  /**
   * A named destination must be the seller's (`destination_not_found`, 400); with Iris
   * configured and a destination (named or default) an IDR payout goes to the bank.
   * Another currency to a named destination is `currency_not_supported` (400).
   */
  async attach(trx: Transaction<object>, payout: RoutedPayout): Promise<boolean> {
    const repo = PayoutsRepository.in(trx, this.ring);
    const named = payout.destinationId ? await repo.findDestination(payout.destinationId) : undefined;
    if (payout.destinationId && (!named || named.seller_id !== payout.sellerId || named.removed_at)) {
      throw invalidField('destination_id', 'destination_not_found', 'no such payout destination of yours');
    }
    if (!this.iris) return false;
    if (payout.currency !== IRIS_CURRENCY) {
      if (!named) return false;
      throw invalidField('currency', 'currency_not_supported', 'bank payouts are paid in IDR only');
    }
    const destination = named ?? (await repo.defaultDestination(payout.sellerId));
    if (!destination) return false;
    await repo.insertPayout({
      payoutId: payout.id,
      sellerId: payout.sellerId,
      destinationId: destination.id,
      amountMinor: payout.amountMinor,
      currency: payout.currency,
    });
    return true;
  }

  send(payoutId: string): void {
    void this.dispatch(payoutId).catch((error: unknown) =>
      // The reconciler sends it again later: creating the payout at Iris is idempotent.
      this.logger.warn({ err: error, payoutId }, 'bank payout not sent yet'),
    );
  }

  async isRouted(payoutId: string): Promise<boolean> {
    return (await PayoutsRepository.of(this.db, this.ring).findPayout(payoutId)) !== undefined;
  }

  /**
   * Creates the payout at Iris (idempotent by the payout id) and approves it. Iris refusing
   * it outright fails the payout and gives the money back; an unanswered call leaves it for
   * the reconciler.
   */
  async dispatch(payoutId: string): Promise<void> {
    const iris = this.irisOrFail();
    const repo = PayoutsRepository.of(this.db, this.ring);
    const row = await repo.findPayout(payoutId);
    if (!row || row.status !== 'created') return;
    const destination = await repo.findDestination(row.destination_id);
    if (!destination) throw notFound('payout_destination');
    let referenceNo: string;
    try {
      if (!destination.iris_beneficiary) {
        const alias = aliasOf(destination.id);
        await iris.client.createBeneficiary({
          name: destination.holder_name,
          account: destination.account_number,
          bank: destination.bank_code,
          alias_name: alias,
          email: '',
        });
        await repo.setBeneficiary(destination.id, alias);
      }
      const created = await iris.client.createPayout(
        {
          beneficiary_name: destination.holder_name,
          beneficiary_account: destination.account_number,
          beneficiary_bank: destination.bank_code,
          amount: irisAmount(row.amount_minor),
          notes: `Payout ${payoutId}`,
        },
        payoutId,
      );
      referenceNo = created.reference_no.slice(0, MAX_REFERENCE);
    } catch (error) {
      if (!(error instanceof IrisRefusal)) throw error;
      await this.settle({ payoutId }, 'failed', { code: 'iris_refused', message: describe(error.body) });
      return;
    }
    await this.settle({ payoutId }, 'queued', { referenceNo });
    await iris.client.approve([referenceNo]);
    await this.settle({ payoutId }, 'processed');
  }

  /**
   * An Iris notification, verified against `Iris-Signature` over the raw body.
   * @throws `invalid_signature` (401; always without Iris configured), `invalid_notification`
   *   (400), `payout_not_found` (404), `amount_mismatch` (409)
   */
  async receive(rawBody: string, signature: unknown): Promise<SettleOutcome> {
    // Without Iris there is no merchant key: nothing sent here can be told from a forgery.
    if (!this.iris)
      throw unauthenticated('invalid_signature', 'Iris is not configured: no notification is accepted');
    if (!isValidIrisSignature(rawBody, this.iris.merchantKey, signature)) {
      throw unauthenticated('invalid_signature', 'the Iris-Signature does not match the body');
    }
    const body = JSON.parse(rawBody) as Record<string, unknown>;
    const outcome = irisOutcomeOf(body.status);
    const amount = parseIrisAmount(body.amount);
    const referenceNo = body.reference_no;
    if (
      !outcome ||
      amount === undefined ||
      typeof referenceNo !== 'string' ||
      referenceNo.length > MAX_REFERENCE
    ) {
      throw invalid(
        'invalid_notification',
        'the notification lacks a reference, a known status or an amount',
      );
    }
    return this.settle({ referenceNo }, outcome, {
      amountMinor: amount,
      code: typeof body.error_code === 'string' ? body.error_code : undefined,
      message: typeof body.error_message === 'string' ? body.error_message : undefined,
    });
  }

  /**
   * Asks Iris about payouts untouched for `stuckAfterMs` (at most `limit`): sends again
   * those never accepted, approves those still queued, settles those that ended.
   */
  async reconcile(stuckAfterMs: number, limit: number): Promise<number> {
    const iris = this.irisOrFail();
    const repo = PayoutsRepository.of(this.db, this.ring);
    const stuck = await repo.openPayouts(new Date(Date.now() - stuckAfterMs), limit);
    for (const row of stuck) {
      try {
        await this.reconcileOne(iris, repo, row);
      } catch (error) {
        this.logger.warn({ err: error, payoutId: row.payout_id }, 'bank payout status check failed');
      }
    }
    return stuck.length;
  }

  private async reconcileOne(iris: IrisSettings, repo: PayoutsRepository, row: IrisPayoutRow): Promise<void> {
    // First to the back of the line: a payout Iris sits on, or one that keeps failing here,
    // must not hold up the rest of the batch pass after pass.
    await repo.touchPayout(row.payout_id, row.status);
    if (row.status === 'created' || !row.reference_no) return this.dispatch(row.payout_id);
    const found = await iris.client.retrievePayout(row.reference_no);
    const outcome = irisOutcomeOf(found.status);
    if (!outcome) return;
    if (outcome === 'queued') await iris.client.approve([row.reference_no]);
    await this.settle({ referenceNo: row.reference_no }, outcome === 'queued' ? 'processed' : outcome, {
      amountMinor: parseIrisAmount(found.amount),
      code: found.error_code,
      message: found.error_message,
    });
  }

  /** One step of the state machine and what it does to the money, in one transaction. */
  private settle(
    by: { payoutId: string } | { referenceNo: string },
    to: IrisOutcome,
    details: { referenceNo?: string; amountMinor?: bigint; code?: string; message?: string } = {},
  ): Promise<SettleOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const repo = PayoutsRepository.in(trx, this.ring);
      const row = await repo.lockPayout(by);
      if (!row) throw notFound('payout');
      if (details.amountMinor !== undefined && details.amountMinor !== row.amount_minor) {
        throw conflict('amount_mismatch', 'Iris reports another amount than the payout holds');
      }
      const step = stepOf(row.status, to);
      if (!step.allowed) return step.reason === 'unchanged' ? 'duplicate' : 'ignored';
      let reversalId: string | undefined;
      if (step.effect === 'post') await this.ledger.postPending(trx, row.payout_id);
      if (step.effect === 'void') await this.ledger.voidPending(trx, row.payout_id);
      if (step.effect === 'reverse') reversalId = await this.reverse(trx, row);
      const failed = to === 'failed';
      await repo.updatePayout(row.payout_id, {
        status: to,
        referenceNo: details.referenceNo,
        failureCode: failed ? (details.code ?? 'failed').slice(0, MAX_ERROR_TEXT) : undefined,
        failureMessage: failed ? (details.message ?? null)?.slice(0, MAX_ERROR_TEXT) : undefined,
        reversalId,
      });
      if (to === 'completed' || failed) {
        await this.outbox.write(trx, [
          bankPayoutEvent(failed ? 'payout.failed' : 'payout.completed', {
            id: row.payout_id,
            kind: 'payout',
            amount: formatAmount(row.amount_minor, row.currency),
            currency: row.currency,
            status: failed ? 'failed' : 'paid',
            seller_id: row.seller_id,
            destination_id: row.destination_id,
            reference_no: details.referenceNo ?? row.reference_no,
            failure_code: failed ? (details.code ?? 'failed') : null,
            reversed: reversalId !== undefined,
          }),
        ]);
      }
      return 'applied';
    });
  }

  /** Money that had left comes back to the wallet: a new transaction, the ledger being append-only. */
  private async reverse(trx: Transaction<object>, row: IrisPayoutRow): Promise<string> {
    const { transactionId } = await this.ledger.post(trx, {
      kind: 'payout_reversal',
      reference: row.payout_id,
      currency: row.currency,
      entries: [
        {
          account: { kind: 'payout_clearing', currency: row.currency },
          direction: 'debit',
          amountMinor: row.amount_minor,
        },
        {
          account: { kind: 'user_wallet', ownerId: row.seller_id, currency: row.currency },
          direction: 'credit',
          amountMinor: row.amount_minor,
        },
      ],
    });
    return transactionId;
  }

  private irisOrFail(): IrisSettings {
    if (!this.iris) throw unavailable('iris_not_configured', 'payouts to banks are not configured');
    return this.iris;
  }
}

const describe = (body: unknown): string => JSON.stringify(body ?? null).slice(0, MAX_ERROR_TEXT);
