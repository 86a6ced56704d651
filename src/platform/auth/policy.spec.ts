import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors.js';
import { type Actor, authorize } from './policy.js';

const buyer: Actor = { userId: 'b1', role: 'buyer' };
const admin: Actor = { userId: 'a1', role: 'admin' };

const kindOf = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return (error as AppError).kind;
  }
};

describe('authorize', () => {
  it('refuses an anonymous caller as unauthenticated', () => {
    expect(kindOf(() => authorize(undefined))).toBe('unauthenticated');
  });

  it('refuses a role the route does not allow as forbidden', () => {
    expect(kindOf(() => authorize(buyer, { roles: ['seller'] }))).toBe('forbidden');
    expect(kindOf(() => authorize(buyer, { roles: ['buyer', 'seller'] }))).toBe('allowed');
  });

  it('hides objects the caller does not own behind not_found', () => {
    const object = { kind: 'payment', ownerIds: ['b2', 's1'] };
    expect(kindOf(() => authorize(buyer, { object }))).toBe('not_found');
    expect(kindOf(() => authorize({ userId: 's1', role: 'seller' }, { object }))).toBe('allowed');
    expect(kindOf(() => authorize(admin, { object }))).toBe('allowed');
  });

  it('checks the role before ownership', () => {
    expect(
      kindOf(() => authorize(buyer, { roles: ['admin'], object: { kind: 'x', ownerIds: ['b1'] } })),
    ).toBe('forbidden');
  });
});
