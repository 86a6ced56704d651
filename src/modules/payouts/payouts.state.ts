/**
 * The state machine of a payout sent to a bank through Iris: the one table of what may
 * follow what, and what each step does to the seller's money (a ledger hold made when the
 * payout was requested). Everything not in the table is refused, so a duplicate or
 * out-of-order notification changes nothing and the money moves exactly once.
 */
export type BankPayoutStatus = 'created' | 'queued' | 'processed' | 'completed' | 'failed';

/**
 * What a step does to the ledger: `post` settles the hold (the money left), `void`
 * releases it (the money is the seller's again), `reverse` gives back money already
 * posted with a reversing transaction, `none` moves nothing.
 */
export type LedgerEffect = 'none' | 'post' | 'void' | 'reverse';

const TRANSITIONS: Record<BankPayoutStatus, Partial<Record<BankPayoutStatus, LedgerEffect>>> = {
  // Not yet accepted by Iris: accepted (a reference), or refused outright.
  created: { queued: 'none', processed: 'none', completed: 'post', failed: 'void' },
  queued: { processed: 'none', completed: 'post', failed: 'void' },
  processed: { completed: 'post', failed: 'void' },
  // A bank can still return a transfer it had accepted.
  completed: { failed: 'reverse' },
  failed: {},
};

export type Step =
  { allowed: true; effect: LedgerEffect } | { allowed: false; reason: 'unchanged' | 'refused' };

export function stepOf(from: BankPayoutStatus, to: BankPayoutStatus): Step {
  if (from === to) return { allowed: false, reason: 'unchanged' };
  const effect = TRANSITIONS[from][to];
  return effect ? { allowed: true, effect } : { allowed: false, reason: 'refused' };
}

/** Still waiting on Iris: what the reconciler looks up when it stays so too long. */
export const OPEN_STATUSES: readonly BankPayoutStatus[] = ['created', 'queued', 'processed'];

export const isOpen = (status: BankPayoutStatus): boolean => OPEN_STATUSES.includes(status);
