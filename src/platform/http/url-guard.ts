import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Keeps outbound calls to URLs users gave (webhook deliveries, Web Push) away from the
 * platform's own network (SSRF): an endpoint must
 * be http(s) and every address its host resolves to must be public, unless the host or
 * the address is in an explicit allow-list (tests, an on-premise integrator). The check
 * runs at registration and again inside each delivery's connection (see `guardedLookup`),
 * because DNS can change between the two.
 */

/** Addresses that are not on the public internet (IANA special-purpose registries). */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64: may reach any IPv4 address, private ones included
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo included)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds any IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6');
}

/** True when `address` (an IP literal) is routable on the public internet. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // BlockList matches IPv4-mapped IPv6 (::ffff:a.b.c.d) against the IPv4 rules as well.
  return !nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const normalise = (hostOrAddress: string) => hostOrAddress.replace(/^\[|\]$/g, '').toLowerCase();

export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

export type UrlCheck =
  | { ok: true; url: URL; addresses: string[] }
  | {
      ok: false;
      code: 'invalid_url' | 'unsupported_scheme' | 'unresolvable_host' | 'non_public_address';
      message: string;
    };

/** Decides whether one resolved host may be contacted; pure, shared by both checks. */
export function checkAddresses(
  host: string,
  addresses: readonly string[],
  allowList: readonly string[],
): { ok: true } | { ok: false; address: string } {
  const allowed = new Set(allowList.map(normalise));
  if (allowed.has(normalise(host))) return { ok: true };
  for (const address of addresses) {
    if (!isPublicAddress(address) && !allowed.has(normalise(address))) return { ok: false, address };
  }
  return { ok: true };
}

/** Parses and vets an endpoint URL, resolving its host (every address must pass). */
export async function checkWebhookUrl(
  raw: string,
  allowList: readonly string[],
  resolve: Resolver = systemResolver,
): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, code: 'invalid_url', message: 'url is not a valid absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, code: 'unsupported_scheme', message: 'url must use http or https' };
  }
  if (url.username || url.password) {
    return { ok: false, code: 'invalid_url', message: 'url must not carry credentials' };
  }
  const host = normalise(url.hostname);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await resolve(host)).map((entry) => entry.address);
    } catch {
      return { ok: false, code: 'unresolvable_host', message: `host ${host} does not resolve` };
    }
    if (addresses.length === 0) {
      return { ok: false, code: 'unresolvable_host', message: `host ${host} does not resolve` };
    }
  }
  const verdict = checkAddresses(host, addresses, allowList);
  if (!verdict.ok) {
    return {
      ok: false,
      code: 'non_public_address',
      message: `host ${host} resolves to ${verdict.address}, which is not a public address`,
    };
  }
  return { ok: true, url, addresses };
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for node:http that resolves and vets in the same step as connecting, so a
 * host that passed at registration but now resolves to a private address (DNS
 * rebinding) is refused at delivery. IP-literal hosts never reach a lookup: callers check
 * them with `checkWebhookUrl` first.
 */
export function guardedLookup(allowList: readonly string[], resolve: Resolver = systemResolver) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const verdict = checkAddresses(
          hostname,
          addresses.map((entry) => entry.address),
          allowList,
        );
        if (!verdict.ok) {
          const error: NodeJS.ErrnoException = new Error(
            `host ${hostname} resolves to ${verdict.address}, which is not a public address`,
          );
          error.code = 'ENONPUBLIC';
          callback(error, '');
          return;
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
