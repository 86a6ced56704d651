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

  it('forgets the least recently used account beyond its capacity', () => {
    const known = new AccountIdCache(2);
    known.remember('a', account(1));
    known.remember('b', account(2));
    // A full answer counts as a use: now b is the older one.
    known.all(['a']);
    known.remember('c', account(3));
    expect(known.size).toBe(2);
    expect(known.all(['b'])).toBeUndefined();
    expect(known.all(['a', 'c'])).toEqual([account(1), account(3)]);
    // A partial answer does not.
    known.all(['a', 'x']);
    known.remember('d', account(4));
    expect(known.all(['a'])).toBeUndefined();
    expect(known.all(['c', 'd'])).toEqual([account(3), account(4)]);
  });

  it('keeps the latest of two accounts remembered under one key', () => {
    const known = new AccountIdCache();
    known.remember('a', account(1));
    known.remember('a', account(2));
    expect(known.size).toBe(1);
    expect(known.all(['a'])).toEqual([account(2)]);
  });
});
