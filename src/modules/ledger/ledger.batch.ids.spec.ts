import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './ledger.batch.ids.js';
import { isUuid } from './ledger.rules.js';

describe('time-ordered transaction ids', () => {
  it('are version 7 UUIDs carrying the millisecond they were made', () => {
    const at = Date.UTC(2026, 11, 2, 10, 0, 0, 123);
    const id = timeOrderedId(at);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sort in the order of their times, and never repeat', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => timeOrderedId(1_700_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    const sameMillisecond = Array.from({ length: 2_000 }, () => timeOrderedId(1_700_000_000_000));
    expect(new Set(sameMillisecond).size).toBe(2_000);
  });
});
