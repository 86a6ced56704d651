import { timingSafeEqual } from 'node:crypto';
// One formula for signing (the sandbox) and verifying (here), so the two cannot drift apart.
import { midtransSignature } from './sandbox/signature.js';
import type { GatewayOutcome } from './midtrans.orders.js';

export { midtransSignature };

/** Constant-time comparison, so the check leaks nothing about how much of a forgery matched. */
export function isValidSignature(
  notification: { order_id: string; status_code: string; gross_amount: string; signature_key: string },
  serverKey: string,
): boolean {
  const expected = Buffer.from(
    midtransSignature(notification.order_id, notification.status_code, notification.gross_amount, serverKey),
    'hex',
  );
  const given = Buffer.from(notification.signature_key, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * What a Midtrans transaction status means for the order it pays: the outcome to apply, or
 * `ignore` when it changes nothing (still pending, or refunds that we started ourselves).
 * A capture counts only when the fraud check accepted it; `challenge` waits for a decision.
 */
export function targetStatus(transactionStatus: string, fraudStatus?: string): GatewayOutcome | 'ignore' {
  switch (transactionStatus) {
    case 'capture':
      if (fraudStatus === 'accept') return 'succeeded';
      if (fraudStatus === 'deny') return 'failed';
      return 'ignore';
    case 'settlement':
      return 'succeeded';
    case 'deny':
    case 'failure':
      return 'failed';
    case 'cancel':
      return 'canceled';
    case 'expire':
      return 'expired';
    default:
      // pending, refund, partial_refund, authorize and anything new
      return 'ignore';
  }
}

/** Midtrans's gross_amount for IDR: whole rupiah, written with or without ".00". */
export function grossAmountMatches(grossAmount: string, amountMinor: bigint): boolean {
  return rupiahOf(grossAmount) === amountMinor;
}

/** A Midtrans amount string ("10000" or "10000.00") in whole rupiah; undefined if it is not one. */
export function rupiahOf(amount: unknown): bigint | undefined {
  const match = typeof amount === 'string' ? /^(\d{1,18})(?:\.(\d{1,2}))?$/.exec(amount) : null;
  if (!match) return undefined;
  if (match[2] !== undefined && /[1-9]/.test(match[2])) return undefined;
  return BigInt(match[1]!);
}

/**
 * The longest prefix of `text` that is at most `maxBytes` of UTF-8, cut between characters
 * (never inside one), so a stored sample is always valid text of a known size.
 */
export function utf8Prefix(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return bytes.toString('utf8');
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that was cut.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
