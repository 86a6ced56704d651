import { randomFillSync } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one call per 256 ids instead of one per id.
const pool = Buffer.alloc(16 * 256);
let offset = pool.length;

/**
 * A version 7 UUID (RFC 9562): 48 bits of Unix time in milliseconds, then 74 random bits.
 * Ids made later sort later (PostgreSQL compares uuids byte by byte), so a batch's rows
 * land at the right-hand edge of the indexes on transaction ids instead of on random
 * pages all over them: fewer pages read, dirtied and written to the WAL as the ledger
 * grows. Ids made within one millisecond are in random order among themselves.
 */
export function timeOrderedId(nowMs: number = Date.now()): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + 16);
  offset += 16;
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
