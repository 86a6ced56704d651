import { describe, expect, it } from 'vitest';
import { AccountIdCache } from './ledger.account-ids.js';

const account = (n: number) => ({ id: `id-${n}`, noOverdraft: n % 2 === 0 });

describe('the known accounts', () => {
  it('answers for all the keys in their order, or not at all when one is unknown', () => {
    const known = new AccountIdCache();
    known.remember('a', account(1));
    known.remember('b', account(2));
    expect(known.all(['b', 'a'])).toEqual([account(2), account(1)]);
    expect(known.all(['a', 'c'])).toBeUndefined();
    expect(known.all([])).toEqual([]);
  });

  it('forgets an account not used since it was last passed over, beyond its capacity', () => {
    const known = new AccountIdCache(2);
    known.remember('a', account(1));
    known.remember('b', account(2));
    // A full answer counts as a use: b goes, though a is older.
    known.all(['a']);
    known.remember('c', account(3));
    expect(known.size).toBe(2);
    expect(known.all(['b'])).toBeUndefined();
    // A partial answer does not: c goes, a (used again) stays.
    known.all(['a']);
    known.all(['c', 'x']);
    known.remember('d', account(4));
    expect(known.size).toBe(2);
    expect(known.all(['c'])).toBeUndefined();
    expect(known.all(['a', 'd'])).toEqual([account(1), account(4)]);
  });

  it('keeps what it was just told even when everything else was used', () => {
    const known = new AccountIdCache(2);
    known.remember('a', account(1));
    known.remember('b', account(2));
    known.all(['a', 'b']);
    known.remember('c', account(3));
    expect(known.size).toBe(2);
    expect(known.all(['c'])).toEqual([account(3)]);
  });

  it('keeps the latest of two accounts remembered under one key', () => {
    const known = new AccountIdCache();
    known.remember('a', account(1));
    known.remember('a', account(2));
    expect(known.size).toBe(1);
    expect(known.all(['a'])).toEqual([account(2)]);
  });
});
