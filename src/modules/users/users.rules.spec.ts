import { describe, expect, it } from 'vitest';
import { assertMayRegisterAs, assertPasswordsMatch, normalizeEmail } from './users.rules.js';

describe('users rules', () => {
  it('normalises emails by trimming and lower-casing', () => {
    expect(normalizeEmail('  Ana.Bee@Example.COM ')).toBe('ana.bee@example.com');
  });

  it('refuses a confirmation that differs from the password, naming confirm_password', () => {
    expect(() => assertPasswordsMatch('secret one', 'secret two')).toThrow(/confirm_password/);
    expect(() => assertPasswordsMatch('same', 'same')).not.toThrow();
  });

  it('lets only an admin create an admin', () => {
    expect(() => assertMayRegisterAs('admin', undefined)).toThrow(/only an admin/);
    expect(() => assertMayRegisterAs('admin', { userId: 'u', role: 'seller' })).toThrow();
    expect(() => assertMayRegisterAs('admin', { userId: 'u', role: 'admin' })).not.toThrow();
    expect(() => assertMayRegisterAs('seller', undefined)).not.toThrow();
  });
});
