export type TopUpStatus = 'pending' | 'succeeded' | 'failed' | 'canceled' | 'expired';

/**
 * A gateway top-up's whole state machine: it waits for the gateway, then ends once. A
 * settlement reported after the top-up failed or expired is refused, not applied: the
 * money would then sit at the gateway without a wallet to show for it, which is exactly
 * what a person has to look at.
 */
const TRANSITIONS: Record<TopUpStatus, readonly TopUpStatus[]> = {
  pending: ['succeeded', 'failed', 'canceled', 'expired'],
  succeeded: [],
  failed: [],
  canceled: [],
  expired: [],
};

export const canMoveTopUp = (from: TopUpStatus, to: TopUpStatus): boolean => TRANSITIONS[from].includes(to);
