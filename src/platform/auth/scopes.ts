import type { Role } from './policy.js';

/**
 * What an API client's access token may do, one scope per kind of action. Every
 * authenticated REST route and gRPC method names the scope it needs (or says it is for
 * signed-in users only); a user's own session holds every scope its role allows.
 */
export const SCOPES = {
  'profile:read': 'read the owner’s profile',
  'products:read': 'read products (over gRPC; REST product reads are public)',
  'products:write': 'create, update and delete the owner’s products',
  'orders:read': 'read orders and their items',
  'orders:write': 'ship and deliver order items',
  'payments:read': 'read payments, refunds and sales reports',
  'payments:write': 'create, cancel and capture payments and orders',
  'refunds:write': 'refund payments',
  'wallet:read': 'read the wallet, its transactions, top-ups and payouts',
  'wallet:write': 'top up the wallet and request payouts',
  'webhooks:read': 'read webhook endpoints and their deliveries',
  'webhooks:write': 'create, delete and replay webhooks',
  'admin:read': 'read the admin views (users, payments, payouts, mail, ledger check)',
  'admin:write': 'admin actions (disable users, settle payouts, announcements)',
} as const;

export type Scope = keyof typeof SCOPES;

export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

/**
 * The scopes a role may give its API clients. Buyers get none: API clients are for
 * integrators (sellers' shops and back offices, admins' tooling). A scope only ever
 * narrows what the owner could do: the route's own role and ownership checks still apply.
 */
export const GRANTABLE_SCOPES: Record<Role, readonly Scope[]> = {
  buyer: [],
  seller: ALL_SCOPES.filter((scope) => !scope.startsWith('admin:')),
  admin: ALL_SCOPES,
};

export const isScope = (value: string): value is Scope => Object.hasOwn(SCOPES, value);

/**
 * A `scope` parameter or claim (RFC 6749 §3.3: space-separated, order irrelevant) as a
 * sorted list without repeats; undefined when it names something that is not a scope.
 */
export function parseScopes(value: string): Scope[] | undefined {
  const names = value.split(' ').filter((name) => name !== '');
  if (!names.every(isScope)) return undefined;
  return [...new Set(names)].sort();
}

export const formatScopes = (scopes: readonly string[]): string => [...scopes].sort().join(' ');
