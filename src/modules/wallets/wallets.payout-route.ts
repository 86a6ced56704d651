import type { Transaction } from 'kysely';

/** A payout as it is being requested, in the transaction that holds its money. */
export interface RoutedPayout {
  /** The ledger hold's id: the payout's id everywhere. */
  id: string;
  sellerId: string;
  amountMinor: bigint;
  currency: string;
  /** The destination the seller named, if any. */
  destinationId?: string;
}

/**
 * Where payouts go besides an admin's manual completion: a bank, through a gateway. The
 * wallets module only holds the money; a route (the payouts module) sends it and settles
 * the hold once the gateway says how it ended.
 */
export interface PayoutRoute {
  /**
   * Takes the payout, in the hold's transaction, when it should go out automatically;
   * false leaves it to an admin. Called again for a replayed request (must be idempotent).
   * Throws (rolling the hold back) for a destination that is not the seller's.
   */
  attach(trx: Transaction<object>, payout: RoutedPayout): Promise<boolean>;
  /** After the hold committed: sends the payout on its way. Never throws. */
  send(payoutId: string): void;
  /** Whether the payout went out through this route, so no admin may settle it by hand. */
  isRouted(payoutId: string): Promise<boolean>;
}
