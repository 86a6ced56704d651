import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { isAppError } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { WalletsService } from '../wallets/wallets.service.js';
import { PayoutsRepository } from './payouts.repository.js';
import { isDue, periodOf, scheduledPayoutKey } from './payouts.rules.js';
import type { ScheduleRow } from './payouts.tables.js';

/**
 * Automatic payouts: for each schedule due today, the seller's whole spendable balance
 * when it reaches the minimum, requested as the seller would (so it goes to the bank like
 * any payout). The request's idempotency key is the day, so two runs, on one instance or
 * two at once, pay at most once per seller per day.
 */
export class PayoutSchedules {
  constructor(
    private readonly db: Kysely<object>,
    private readonly ring: KeyRing,
    private readonly ledger: LedgerService,
    private readonly wallets: WalletsService,
    private readonly logger: Logger,
  ) {}

  /** Runs up to `limit` due schedules; returns how many payouts were requested. */
  async runDue(now: Date, limit: number): Promise<number> {
    const repo = PayoutsRepository.of(this.db, this.ring);
    const period = periodOf(now);
    const due = await repo.dueSchedules(period, now.getUTCDay(), undefined, limit);
    let requested = 0;
    for (const schedule of due) {
      if (
        !isDue(
          { frequency: schedule.frequency, weekday: schedule.weekday, lastPeriod: schedule.last_period },
          now,
        )
      )
        continue;
      try {
        if (await this.runOne(repo, schedule, now)) requested += 1;
        await repo.markScheduleRun(schedule.seller_id, period);
      } catch (error) {
        // Another run paid today already with a different balance: today is done all the same.
        if (isAppError(error) && error.code === 'ledger_reference_reused') {
          await repo.markScheduleRun(schedule.seller_id, period);
        } else this.logger.warn({ err: error, sellerId: schedule.seller_id }, 'scheduled payout failed');
      }
    }
    return requested;
  }

  private async runOne(repo: PayoutsRepository, schedule: ScheduleRow, now: Date): Promise<boolean> {
    const wallet = (await this.ledger.wallets(schedule.seller_id)).find(
      (each) => each.currency === schedule.currency,
    );
    if (!wallet || wallet.available < schedule.minimum_amount_minor) return false;
    // A destination removed since the schedule was set: the default takes over.
    const destination = schedule.destination_id
      ? await repo.findDestination(schedule.destination_id)
      : undefined;
    await this.wallets.requestPayout(
      { userId: schedule.seller_id, role: 'seller' },
      {
        amount: formatAmount(wallet.available, schedule.currency),
        currency: schedule.currency,
        destination_id: destination && !destination.removed_at ? destination.id : undefined,
      },
      scheduledPayoutKey(now),
    );
    return true;
  }
}
