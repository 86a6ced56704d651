import { createHash } from 'node:crypto';

/**
 * Midtrans's notification and status signature: SHA-512 hex of
 * `order_id + status_code + gross_amount + server_key`, with `gross_amount` exactly as
 * Midtrans sends it (`"10000.00"`). Pure and dependency-free so the product verifies
 * notifications with the very formula the sandbox signs them with.
 */
export function midtransSignature(
  orderId: string,
  statusCode: string,
  grossAmount: string,
  serverKey: string,
): string {
  return createHash('sha512')
    .update(orderId + statusCode + grossAmount + serverKey, 'utf8')
    .digest('hex');
}
