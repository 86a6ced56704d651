/**
 * The sandbox's transaction state machine and the pure rules around it, modelled on
 * Midtrans's Core API v2 `transaction_status` values.
 */

export type TransactionStatus =
  'pending' | 'capture' | 'settlement' | 'deny' | 'cancel' | 'expire' | 'partial_refund' | 'refund';

/** What a test, or the customer on the payment page, can make happen. */
export type PayOutcome = 'settlement' | 'capture' | 'deny' | 'expire' | 'cancel' | 'pending';

export const PAY_OUTCOMES: readonly PayOutcome[] = [
  'settlement',
  'capture',
  'deny',
  'expire',
  'cancel',
  'pending',
];

/**
 * Every allowed move; `created` is a Snap token the customer has not acted on yet (Midtrans
 * does not know the transaction by then: its status API answers 404). Everything not
 * listed is refused.
 */
export const TRANSITIONS: Readonly<Record<TransactionStatus | 'created', readonly TransactionStatus[]>> = {
  created: ['pending', 'capture', 'settlement', 'deny', 'cancel', 'expire'],
  pending: ['capture', 'settlement', 'deny', 'cancel', 'expire'],
  capture: ['settlement', 'cancel', 'partial_refund', 'refund'],
  settlement: ['partial_refund', 'refund'],
  partial_refund: ['partial_refund', 'refund'],
  deny: [],
  cancel: [],
  expire: [],
  refund: [],
};

export const canTransition = (from: TransactionStatus | 'created', to: TransactionStatus): boolean =>
  TRANSITIONS[from].includes(to);

export const isRefundable = (status: TransactionStatus | 'created'): boolean =>
  status === 'capture' || status === 'settlement' || status === 'partial_refund';

/** Midtrans's `status_code` for each status, as a string like Midtrans sends it. */
export function statusCodeOf(status: TransactionStatus): '200' | '201' | '202' {
  switch (status) {
    case 'pending':
      return '201';
    case 'deny':
    case 'cancel':
    case 'expire':
      return '202';
    default:
      return '200';
  }
}

/** Credit cards go through `capture` (and can be denied); everything else here is a bank transfer. */
export const paymentTypeFor = (outcome: PayOutcome): 'credit_card' | 'bank_transfer' =>
  outcome === 'capture' || outcome === 'deny' ? 'credit_card' : 'bank_transfer';

/** IDR amounts as Midtrans writes them: whole rupiah with two zero decimals. */
export const formatAmount = (rupiah: bigint): string => `${rupiah.toString()}.00`;

/**
 * Parses a request's whole-rupiah amount: a JSON integer or a string of digits. Returns
 * null for anything else (decimals, exponents, unsafe integers).
 */
export function parseRupiah(value: unknown, { allowNegative = false } = {}): bigint | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && (allowNegative || value >= 0) ? BigInt(value) : null;
  }
  if (typeof value === 'string' && (allowNegative ? /^-?\d{1,15}$/ : /^\d{1,15}$/).test(value)) {
    return BigInt(value);
  }
  return null;
}

const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000;

/** Midtrans timestamps: `YYYY-MM-DD HH:mm:ss` in Asia/Jakarta (UTC+7, no daylight saving). */
export const jakartaTime = (at: Date): string =>
  new Date(at.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
