import type { Generated, Selectable } from 'kysely';
import type { Frequency } from './payouts.rules.js';
import type { BankPayoutStatus } from './payouts.state.js';

export interface PayoutDestinationsTable {
  id: string;
  seller_id: string;
  bank_code: string;
  /** Ciphertext (key ring), bound to the row. */
  account_number: string;
  account_last4: string;
  /** Ciphertext (key ring), bound to the row. */
  holder_name: string;
  is_default: Generated<boolean>;
  iris_beneficiary: string | null;
  created_at: Generated<Date>;
  removed_at: Date | null;
}

export interface PayoutSchedulesTable {
  seller_id: string;
  frequency: Frequency;
  weekday: number | null;
  minimum_amount_minor: bigint;
  currency: string;
  destination_id: string | null;
  /** The UTC day (`yyyy-mm-dd`) of the last run. */
  last_period: string | null;
  updated_at: Generated<Date>;
}

export interface IrisPayoutsTable {
  payout_id: string;
  seller_id: string;
  destination_id: string;
  amount_minor: bigint;
  currency: string;
  status: Generated<BankPayoutStatus>;
  reference_no: string | null;
  failure_code: string | null;
  failure_message: string | null;
  reversal_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The tables the payouts module owns; the money itself is the ledger's. */
export interface PayoutsTables {
  payout_destinations: PayoutDestinationsTable;
  payout_schedules: PayoutSchedulesTable;
  iris_payouts: IrisPayoutsTable;
}

export type DestinationRow = Selectable<PayoutDestinationsTable>;
export type ScheduleRow = Selectable<PayoutSchedulesTable>;
export type IrisPayoutRow = Selectable<IrisPayoutsTable>;
