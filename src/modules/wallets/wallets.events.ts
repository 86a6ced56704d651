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

/** The seller: the one person a wallet event is about (whose webhooks and mail hear of it). */
export const walletEventOwners = (event: DomainEvent): string[] =>
  event.type === 'payout.requested' ? [(event.data as PayoutRequestedData).seller_id] : [];
