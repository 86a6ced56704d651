import type { DomainEvent } from '../../platform/events/event.js';
import type { NewEvent } from '../../platform/events/outbox.js';

/** What a `payout.requested` event carries: the payout as its seller sees it, and whose it is. */
export interface PayoutRequestedData {
  id: string;
  kind: 'payout';
  amount: string;
  currency: string;
  status: string;
  seller_id: string;
}

export const payoutRequested = (data: PayoutRequestedData): NewEvent => ({
  type: 'payout.requested',
  aggregate: `payout:${data.id}`,
  data,
});

/** Every payout event carries its seller (`payout.completed` and `payout.failed` come from bank payouts). */
const PAYOUT_EVENTS: readonly string[] = ['payout.requested', 'payout.completed', 'payout.failed'];

/** The seller: the one person a wallet event is about (whose webhooks and mail hear of it). */
export const walletEventOwners = (event: DomainEvent): string[] =>
  PAYOUT_EVENTS.includes(event.type) ? [(event.data as PayoutRequestedData).seller_id] : [];
