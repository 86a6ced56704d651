import type { NewEvent } from '../../platform/events/outbox.js';

/** What `payout.completed` and `payout.failed` carry: the payout as its seller sees it. */
export interface BankPayoutEventData {
  id: string;
  kind: 'payout';
  amount: string;
  currency: string;
  status: 'paid' | 'failed';
  seller_id: string;
  destination_id: string;
  reference_no: string | null;
  failure_code: string | null;
  /** True when the money had left and came back (a bank returned the transfer). */
  reversed: boolean;
}

/** On the payout's aggregate (`payout:<id>`), so they follow its `payout.requested`. */
export const bankPayoutEvent = (
  type: 'payout.completed' | 'payout.failed',
  data: BankPayoutEventData,
): NewEvent => ({
  type,
  aggregate: `payout:${data.id}`,
  data,
});
