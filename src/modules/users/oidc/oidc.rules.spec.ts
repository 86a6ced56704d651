import { describe, expect, it } from 'vitest';
import { decideSignIn, displayName, type ProviderIdentity, readCookie, safeReturnTo } from './oidc.rules.js';

const identity = (overrides: Partial<ProviderIdentity> = {}): ProviderIdentity => ({
  issuer: 'https://id.example',
  subject: 'sub-1',
  email: 'Ayu@Example.com ',
  emailVerified: true,
  name: 'Ayu',
  ...overrides,
});

describe('decideSignIn', () => {
  it('signs a known identity in as its user, whatever the e-mail says now', () => {
    expect(
      decideSignIn(identity({ email: undefined, emailVerified: false }), { userId: 'u1' }, undefined),
    ).toEqual({
      kind: 'sign_in',
      userId: 'u1',
    });
  });

  it('links an existing account only when the provider verified the e-mail', () => {
    expect(decideSignIn(identity(), undefined, { id: 'u2' })).toEqual({ kind: 'link', userId: 'u2' });
    expect(decideSignIn(identity({ emailVerified: false }), undefined, { id: 'u2' })).toEqual({
      kind: 'refuse',
      code: 'oidc_email_unverified',
    });
  });

  it('creates a buyer from a new identity with its normalised e-mail', () => {
    expect(decideSignIn(identity({ emailVerified: false }), undefined, undefined)).toEqual({
      kind: 'create',
      email: 'ayu@example.com',
      name: 'Ayu',
    });
  });

  it('refuses a new identity without a usable e-mail', () => {
    for (const email of [undefined, '', 'not an email', `${'a'.repeat(250)}@example.com`]) {
      expect(decideSignIn(identity({ email }), undefined, undefined)).toEqual({
        kind: 'refuse',
        code: 'oidc_email_missing',
      });
    }
  });
});

describe('displayName', () => {
  it('falls back to the e-mail’s local part and fits 100 characters', () => {
    expect(displayName(undefined, 'ayu.l@example.com')).toBe('ayu.l');
    expect(displayName('  \n ', 'ayu@example.com')).toBe('ayu');
    expect(displayName('A\u0000yu\tLestari', 'x@example.com')).toBe('A yu Lestari');
    expect(Array.from(displayName('😀'.repeat(150), 'x@example.com'))).toHaveLength(100);
  });
});

describe('safeReturnTo', () => {
  it('keeps paths of this site and nothing else', () => {
    expect(safeReturnTo('/cart?x=1#y')).toBe('/cart?x=1#y');
    for (const unsafe of [
      undefined,
      '',
      'cart',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      '/a\nb',
      `/${'a'.repeat(600)}`,
    ]) {
      expect(safeReturnTo(unsafe)).toBe('/');
    }
  });
});

describe('readCookie', () => {
  it('finds one cookie among several', () => {
    expect(readCookie('a=1; mamlaka_oidc_state=abc; b=2', 'mamlaka_oidc_state')).toBe('abc');
    expect(readCookie('xmamlaka_oidc_state=abc', 'mamlaka_oidc_state')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });
});
