import type { Metadata } from '@grpc/grpc-js';
import { isIP } from 'node:net';

/** The metadata carrying the client's address, as REST's X-Forwarded-For header does. */
export const FORWARDED_FOR = 'x-forwarded-for';

/**
 * The address of the client a call is made for, which per-address budgets are keyed by.
 * The TCP peer; or, when `trustForwarded`, the first address in `x-forwarded-for`, which
 * a trusted proxy in front adds (TRUST_PROXY, read as Fastify reads it for REST) or the
 * split gateway sets for the client it calls on behalf of. Anything there that is not an
 * address is ignored rather than becoming a key of the caller's choosing.
 */
export function clientAddressOf(
  call: { getPeer(): string; metadata: Metadata },
  trustForwarded: boolean,
): string {
  if (trustForwarded) {
    const forwarded = call.metadata.get(FORWARDED_FOR)[0];
    const first = typeof forwarded === 'string' ? forwarded.split(',')[0]!.trim() : '';
    if (isIP(first)) return first;
  }
  // grpc-js reports the peer as `address:port`, with no brackets around an IPv6 address.
  return call.getPeer().replace(/:\d+$/, '');
}
