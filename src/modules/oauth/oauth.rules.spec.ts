import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import {
  clientCredentialsOf,
  clientScopesFor,
  hashSecret,
  newClientId,
  newClientSecret,
  secretMatches,
  tokenScopes,
} from './oauth.rules.js';

const basicOf = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? `${error.kind}:${error.code}` : 'other';
  }
  return 'none';
};

describe('client secrets', () => {
  it('are long random strings, matched only by their own hash', () => {
    const secret = newClientSecret();
    expect(secret).toMatch(/^mk_secret_[A-Za-z0-9_-]{43}$/);
    expect(newClientSecret()).not.toBe(secret);
    expect(newClientId()).toMatch(/^mk_client_[A-Za-z0-9_-]{22}$/);
    const stored = hashSecret(secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(`${secret}x`, stored)).toBe(false);
    expect(secretMatches(secret, 'not hex')).toBe(false);
  });
});

describe('client authentication (RFC 6749 §2.3.1)', () => {
  it('reads Basic credentials, form-urlencoded, including a colon or a space in the secret', () => {
    expect(clientCredentialsOf(basicOf('mk_client_a', 's%3Ac+d%25'), {})).toEqual({
      clientId: 'mk_client_a',
      secret: 's:c d%',
      method: 'client_secret_basic',
    });
  });

  it('reads the form (client_secret_post)', () => {
    expect(clientCredentialsOf(undefined, { client_id: 'id', client_secret: 's' })).toEqual({
      clientId: 'id',
      secret: 's',
      method: 'client_secret_post',
    });
  });

  it('refuses both methods at once as invalid_request, and none or a broken one as invalid_client', () => {
    expect(codeOf(() => clientCredentialsOf(basicOf('a', 'b'), { client_id: 'a' }))).toBe(
      'invalid:invalid_request',
    );
    expect(codeOf(() => clientCredentialsOf(undefined, {}))).toBe('unauthenticated:invalid_client');
    expect(codeOf(() => clientCredentialsOf(undefined, { client_id: 'a' }))).toBe(
      'unauthenticated:invalid_client',
    );
    expect(codeOf(() => clientCredentialsOf(basicOf('no-colon', '').slice(0, -4), {}))).toBe(
      'unauthenticated:invalid_client',
    );
    expect(codeOf(() => clientCredentialsOf(basicOf('a', '%E0%A4%A'), {}))).toBe(
      'unauthenticated:invalid_client',
    );
    // A bearer token is not client authentication.
    expect(codeOf(() => clientCredentialsOf('Bearer abc', {}))).toBe('unauthenticated:invalid_client');
  });
});

describe('token scopes', () => {
  const client = ['payments:read', 'products:write', 'admin:read'];

  it('are all the client’s when none are asked for, minus any its owner’s role may not hold', () => {
    expect(tokenScopes(undefined, client, 'seller')).toEqual(['payments:read', 'products:write']);
    expect(tokenScopes('', client, 'admin')).toEqual(['admin:read', 'payments:read', 'products:write']);
  });

  it('are what was asked, in any order and with repeats, when the client holds them', () => {
    expect(tokenScopes('products:write  payments:read payments:read', client, 'seller')).toEqual([
      'payments:read',
      'products:write',
    ]);
  });

  it('refuse an unknown scope or one the client does not hold (invalid_scope)', () => {
    expect(codeOf(() => tokenScopes('wallet:read', client, 'seller'))).toBe('invalid:invalid_scope');
    expect(codeOf(() => tokenScopes('admin:read', client, 'seller'))).toBe('invalid:invalid_scope');
    expect(codeOf(() => tokenScopes('payments:read root', client, 'seller'))).toBe('invalid:invalid_scope');
    expect(codeOf(() => tokenScopes(undefined, ['admin:read'], 'seller'))).toBe('invalid:invalid_scope');
  });
});

describe('the scopes a role may give its clients', () => {
  it('are none for buyers, all but admin ones for sellers, all for admins', () => {
    expect(clientScopesFor('buyer', ['payments:read'])).toEqual({ refused: ['payments:read'] });
    expect(clientScopesFor('seller', ['refunds:write', 'admin:write'])).toEqual({ refused: ['admin:write'] });
    expect(clientScopesFor('seller', ['webhooks:write', 'refunds:write'])).toEqual({
      ok: ['refunds:write', 'webhooks:write'],
    });
    expect(clientScopesFor('admin', ['admin:write'])).toEqual({ ok: ['admin:write'] });
  });
});
