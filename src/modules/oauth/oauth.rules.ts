import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type AppError, invalid, unauthenticated } from '../../platform/errors.js';
import { GRANTABLE_SCOPES, parseScopes, type Scope } from '../../platform/auth/scopes.js';
import type { Role } from '../../platform/auth/policy.js';
import type { OAuthClientRow } from './oauth.tables.js';

/** Per owner: plenty for a shop's integrations, few enough that a leak of one list is bounded. */
export const MAX_ACTIVE_CLIENTS_PER_OWNER = 25;

export const newClientId = (): string => `mk_client_${randomBytes(16).toString('base64url')}`;
/** 32 random bytes: guessing one is hopeless, so a fast hash protects it at rest (see 0020). */
export const newClientSecret = (): string => `mk_secret_${randomBytes(32).toString('base64url')}`;
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Compares digests, so neither the time taken nor an early exit says how much matched. */
export function secretMatches(secret: string, storedSha256: string): boolean {
  const given = createHash('sha256').update(secret).digest();
  const stored = Buffer.from(storedSha256, 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored);
}

/** RFC 6749 §5.2's error codes, as the one error family carries them. */
export const oauthErrors = {
  invalidRequest: (message: string): AppError => invalid('invalid_request', message),
  invalidClient: (): AppError =>
    unauthenticated(
      'invalid_client',
      'client authentication failed (unknown client, wrong secret or revoked)',
    ),
  invalidScope: (message: string): AppError => invalid('invalid_scope', message),
  unsupportedGrantType: (): AppError =>
    invalid('unsupported_grant_type', 'only grant_type=client_credentials is supported'),
} as const;

export interface ClientCredentials {
  clientId: string;
  secret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

/**
 * RFC 6749 §2.3.1: Basic's user and password are the form-urlencoded id and secret
 * (`+` is a space, `%XX` a byte), so a secret with `:` or `%` survives the trip.
 */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/**
 * The client's credentials from the Authorization header (client_secret_basic) or the
 * form (client_secret_post). Using both at once is refused (§2.3: one method per
 * request); so is none. An Authorization header of another scheme counts as no header.
 * @throws `invalid_request` (400) for both methods at once, `invalid_client` (401) for none or malformed
 */
export function clientCredentialsOf(
  authorization: string | undefined,
  form: { client_id?: string; client_secret?: string },
): ClientCredentials {
  const basic = authorization ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
  const inForm = form.client_id !== undefined || form.client_secret !== undefined;
  if (basic && inForm)
    throw oauthErrors.invalidRequest('authenticate the client by one method: Basic or the form, not both');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon < 0 ? undefined : formDecode(decoded.slice(0, colon));
    const secret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1));
    if (!clientId || !secret) throw oauthErrors.invalidClient();
    return { clientId, secret, method: 'client_secret_basic' };
  }
  if (form.client_id && form.client_secret)
    return { clientId: form.client_id, secret: form.client_secret, method: 'client_secret_post' };
  throw oauthErrors.invalidClient();
}

/**
 * The scopes a token gets: what was asked (RFC 6749 §3.3), which must be among the
 * client's; nothing asked means all of them. Only scopes the owner's role may still hold
 * count, should the catalogue of a role ever shrink.
 * @throws `invalid_scope` (400)
 */
export function tokenScopes(
  requested: string | undefined,
  client: readonly string[],
  ownerRole: Role,
): Scope[] {
  const allowed = new Set<string>(GRANTABLE_SCOPES[ownerRole].filter((scope) => client.includes(scope)));
  if (requested === undefined || requested.trim() === '') {
    const all = [...allowed].sort() as Scope[];
    if (all.length === 0) throw oauthErrors.invalidScope('this client holds no scope its owner may grant');
    return all;
  }
  const asked = parseScopes(requested);
  if (!asked || asked.length === 0) throw oauthErrors.invalidScope('scope names an unknown scope');
  const refused = asked.filter((scope) => !allowed.has(scope));
  if (refused.length > 0) throw oauthErrors.invalidScope(`this client may not ask for ${refused.join(' ')}`);
  return asked;
}

/** The scopes an owner of `role` may give a new client: all asked must be grantable. */
export function clientScopesFor(
  role: Role,
  asked: readonly string[],
): { ok: Scope[] } | { refused: string[] } {
  const grantable = new Set<string>(GRANTABLE_SCOPES[role]);
  const refused = asked.filter((scope) => !grantable.has(scope));
  if (refused.length > 0) return { refused };
  return { ok: [...new Set(asked)].sort() as Scope[] };
}

export interface PublicClient {
  id: string;
  name: string;
  owner_id: string;
  scopes: string[];
  created_at: string;
  secret_rotated_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export const toPublicClient = (row: OAuthClientRow): PublicClient => ({
  id: row.id,
  name: row.name,
  owner_id: row.owner_id,
  scopes: [...row.scopes].sort(),
  created_at: row.created_at.toISOString(),
  secret_rotated_at: row.secret_rotated_at.toISOString(),
  last_used_at: row.last_used_at?.toISOString() ?? null,
  revoked_at: row.revoked_at?.toISOString() ?? null,
});
