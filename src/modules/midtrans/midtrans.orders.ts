/** What a settled, failed, canceled or expired Midtrans transaction means for the order it paid. */
export type GatewayOutcome = 'succeeded' | 'failed' | 'canceled' | 'expired';

/**
 * Something Midtrans can be paying for: a checkout's payment, or a wallet top-up. The
 * notification receiver asks each kind in turn whose order an id is, so the Midtrans
 * module needs to know nothing about payments or wallets.
 */
export interface GatewayOrders {
  readonly kind: string;
  /** The amount Midtrans should be charging, or undefined when the id is not one of these. */
  find(orderId: string): Promise<{ amountMinor: bigint; currency: string } | undefined>;
  /** Applies a confirmed outcome; idempotent (`duplicate`) and never against the state machine (`ignored`). */
  apply(orderId: string, outcome: GatewayOutcome): Promise<'applied' | 'duplicate' | 'ignored'>;
}
