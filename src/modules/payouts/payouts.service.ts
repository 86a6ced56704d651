import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { invalidField, notFound, unprocessable } from '../../platform/errors.js';
import { formatAmount, isSupportedCurrency, parseAmount } from '../../platform/money.js';
import { PayoutsRepository } from './payouts.repository.js';
import {
  type Frequency,
  isIrisBankCode,
  MAX_DESTINATIONS,
  MAX_HOLDER_NAME,
  normalizeAccountNumber,
} from './payouts.rules.js';
import type { DestinationRow, ScheduleRow } from './payouts.tables.js';

export interface PublicDestination {
  id: string;
  bank_code: string;
  /** Only the last four digits ever leave the server. */
  account_last4: string;
  holder_name: string;
  is_default: boolean;
  created_at: string;
}

export interface PublicSchedule {
  frequency: Frequency;
  weekday: number | null;
  minimum_amount: string | null;
  currency: string | null;
  destination_id: string | null;
  last_run_on: string | null;
}

export interface ScheduleInput {
  frequency: Frequency;
  weekday?: number;
  minimum_amount: string;
  currency?: string;
  destination_id?: string;
}

const toPublic = (row: DestinationRow): PublicDestination => ({
  id: row.id,
  bank_code: row.bank_code,
  account_last4: row.account_last4,
  holder_name: row.holder_name,
  is_default: row.is_default,
  created_at: row.created_at.toISOString(),
});

const scheduleToPublic = (row: ScheduleRow): PublicSchedule => ({
  frequency: row.frequency,
  weekday: row.weekday,
  minimum_amount: formatAmount(row.minimum_amount_minor, row.currency),
  currency: row.currency,
  destination_id: row.destination_id,
  last_run_on: row.last_period,
});

/**
 * Where sellers are paid (bank accounts, encrypted at rest) and when they are paid
 * automatically. Sellers only, each seeing only their own.
 */
export class PayoutsService {
  constructor(
    private readonly db: Kysely<object>,
    private readonly ring: KeyRing,
    private readonly defaultCurrency: string,
  ) {}

  async listDestinations(actor: Actor | undefined): Promise<PublicDestination[]> {
    const seller = authorize(actor, { roles: ['seller'] });
    const rows = await PayoutsRepository.of(this.db, this.ring).listDestinations(
      seller.userId,
      MAX_DESTINATIONS,
    );
    return rows.map(toPublic);
  }

  /**
   * Adds a bank account; the first one (or one asked to be) is the default. Transactional
   * and serialised per seller, so the limit and the single default hold under concurrency.
   * @throws `validation_failed` (400: `unknown_bank_code`, `invalid_account_number`,
   *   `invalid_holder_name`), `too_many_destinations` (422)
   */
  async createDestination(
    actor: Actor | undefined,
    input: { bank_code: string; account_number: string; holder_name: string; is_default?: boolean },
  ): Promise<PublicDestination> {
    const seller = authorize(actor, { roles: ['seller'] });
    const bankCode = input.bank_code.trim().toLowerCase();
    if (!isIrisBankCode(bankCode)) {
      throw invalidField(
        'bank_code',
        'unknown_bank_code',
        `bank code ${input.bank_code} is not one Iris pays to`,
      );
    }
    const accountNumber = normalizeAccountNumber(input.account_number);
    if (!accountNumber) {
      throw invalidField('account_number', 'invalid_account_number', 'an account number is 5 to 20 digits');
    }
    const holderName = input.holder_name.trim();
    if (holderName.length === 0 || holderName.length > MAX_HOLDER_NAME) {
      throw invalidField(
        'holder_name',
        'invalid_holder_name',
        `holder name must be 1 to ${MAX_HOLDER_NAME} characters`,
      );
    }
    return this.db.transaction().execute(async (trx) => {
      const repo = PayoutsRepository.in(trx, this.ring);
      await repo.lockSeller(seller.userId);
      const existing = await repo.listDestinations(seller.userId, MAX_DESTINATIONS);
      if (existing.length >= MAX_DESTINATIONS) {
        throw unprocessable('too_many_destinations', `at most ${MAX_DESTINATIONS} payout destinations`);
      }
      const isDefault = existing.length === 0 || input.is_default === true;
      if (isDefault) await repo.clearDefault(seller.userId);
      const row = await repo.insertDestination({
        sellerId: seller.userId,
        bankCode,
        accountNumber,
        holderName,
        isDefault,
      });
      return toPublic(row);
    });
  }

  /**
   * Removes a destination (payouts already on their way still reach it); another becomes
   * the default if it was. @throws `payout_destination_not_found` (404)
   */
  async removeDestination(actor: Actor | undefined, id: string): Promise<void> {
    const seller = authorize(actor, { roles: ['seller'] });
    await this.db.transaction().execute(async (trx) => {
      const repo = PayoutsRepository.in(trx, this.ring);
      await repo.lockSeller(seller.userId);
      if (!(await repo.removeDestination(seller.userId, id))) throw notFound('payout_destination');
      await repo.ensureDefault(seller.userId);
    });
  }

  async retrieveSchedule(actor: Actor | undefined): Promise<PublicSchedule> {
    const seller = authorize(actor, { roles: ['seller'] });
    const row = await PayoutsRepository.of(this.db, this.ring).findSchedule(seller.userId);
    return row
      ? scheduleToPublic(row)
      : {
          frequency: 'off',
          weekday: null,
          minimum_amount: null,
          currency: null,
          destination_id: null,
          last_run_on: null,
        };
  }

  /**
   * Sets when the seller is paid automatically. A weekly schedule needs its weekday (0 =
   * Sunday, UTC); a named destination must be the seller's.
   * @throws `validation_failed` (400)
   */
  async updateSchedule(actor: Actor | undefined, input: ScheduleInput): Promise<PublicSchedule> {
    const seller = authorize(actor, { roles: ['seller'] });
    if ((input.frequency === 'weekly') !== (input.weekday !== undefined)) {
      throw invalidField(
        'weekday',
        'invalid_weekday',
        'a weekday (0-6) is given for a weekly schedule, and only then',
      );
    }
    const currency = (input.currency ?? this.defaultCurrency).toUpperCase();
    if (!isSupportedCurrency(currency)) {
      throw invalidField('currency', 'unsupported_currency', `currency ${currency} is not supported`);
    }
    const minimum = parseAmount(input.minimum_amount, currency);
    if (!minimum.ok) {
      throw invalidField(
        'minimum_amount',
        minimum.error,
        `minimum amount is invalid: ${minimum.error.replaceAll('_', ' ')}`,
      );
    }
    const repo = PayoutsRepository.of(this.db, this.ring);
    if (input.destination_id) {
      const destination = await repo.findDestination(input.destination_id);
      if (!destination || destination.seller_id !== seller.userId || destination.removed_at) {
        throw invalidField('destination_id', 'destination_not_found', 'no such payout destination of yours');
      }
    }
    const row = await repo.upsertSchedule({
      seller_id: seller.userId,
      frequency: input.frequency,
      weekday: input.frequency === 'weekly' ? input.weekday! : null,
      minimum_amount_minor: minimum.minor,
      currency,
      destination_id: input.destination_id ?? null,
    });
    return scheduleToPublic(row);
  }
}
