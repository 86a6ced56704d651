import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Iris's notification signature: SHA-512 hex of the raw body followed by the merchant key,
 * sent as `Iris-Signature`. Over the bytes as received, so the body must not be re-serialised.
 */
export function irisSignature(rawBody: string, merchantKey: string): string {
  return createHash('sha512')
    .update(rawBody + merchantKey, 'utf8')
    .digest('hex');
}

/** Constant-time check of a received `Iris-Signature` (any other length or shape is refused). */
export function isValidIrisSignature(rawBody: string, merchantKey: string, received: unknown): boolean {
  if (typeof received !== 'string' || !/^[0-9a-f]{128}$/i.test(received)) return false;
  const expected = Buffer.from(irisSignature(rawBody, merchantKey), 'hex');
  return timingSafeEqual(expected, Buffer.from(received, 'hex'));
}

/** Iris moves rupiah only. */
export const IRIS_CURRENCY = 'IDR';

/**
 * Rupiah (no minor unit) as Iris writes amounts: `"10000.00"`. Exact, from the bigint:
 * no float ever holds the amount.
 */
export function irisAmount(rupiah: bigint): string {
  if (rupiah <= 0n) throw new RangeError('an Iris amount must be positive');
  return `${rupiah}.00`;
}

/** An amount Iris sent back, as rupiah; undefined unless it is a whole positive rupiah amount. */
export function parseIrisAmount(text: unknown): bigint | undefined {
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  const match = /^([0-9]{1,15})(?:\.0{1,2})?$/.exec(String(text));
  if (!match) return undefined;
  const rupiah = BigInt(match[1]!);
  return rupiah > 0n ? rupiah : undefined;
}

/** What a payout at Iris is, reduced to what the platform acts on. */
export type IrisOutcome = 'queued' | 'processed' | 'completed' | 'failed';

/**
 * Iris's statuses: `queued` waits for approval; `approved` and `processed` are with the
 * bank; `completed` arrived; `failed` and `rejected` (an approver said no) did not.
 */
export function irisOutcomeOf(status: unknown): IrisOutcome | undefined {
  switch (status) {
    case 'queued':
      return 'queued';
    case 'approved':
    case 'processed':
      return 'processed';
    case 'completed':
      return 'completed';
    case 'failed':
    case 'rejected':
      return 'failed';
    default:
      return undefined;
  }
}
