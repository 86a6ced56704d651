import { describe, expect, it } from 'vitest';
import { authorizeScope } from './policy.js';
import { formatScopes, parseScopes } from './scopes.js';

describe('scope strings (RFC 6749 §3.3)', () => {
  it('parse space-separated names into a sorted list without repeats, refusing unknown names', () => {
    expect(parseScopes('products:write payments:read products:write')).toEqual([
      'payments:read',
      'products:write',
    ]);
    expect(parseScopes('payments:read toString')).toBeUndefined();
    expect(parseScopes('')).toEqual([]);
    expect(formatScopes(['refunds:write', 'payments:read'])).toBe('payments:read refunds:write');
  });
});

describe('authorizeScope', () => {
  const session = { userId: 'u', role: 'seller' as const };
  const client = { ...session, scopes: ['payments:read'], clientId: 'c' };

  it('lets a user’s own session through whatever the route says', () => {
    expect(authorizeScope(session, 'sessions-only')).toBe(session);
    expect(authorizeScope(session, undefined)).toBe(session);
  });

  it('lets a client token through only a route naming a scope it holds', () => {
    expect(authorizeScope(client, 'payments:read')).toBe(client);
    for (const rule of ['payments:write', 'sessions-only', undefined]) {
      expect(() => authorizeScope(client, rule)).toThrow(
        expect.objectContaining({ code: 'insufficient_scope' }),
      );
    }
  });
});
