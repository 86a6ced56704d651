import { describe, expect, it } from 'vitest';
import { RecentReads } from './audit.repeats.js';

describe('RecentReads', () => {
  it('holds a recorded key for the window, then lets it be recorded again', () => {
    let now = 1_000;
    const reads = new RecentReads(60_000, () => now);
    expect(reads.recorded('a')).toBe(false);
    reads.remember('a');
    expect(reads.recorded('a')).toBe(true);
    expect(reads.recorded('b')).toBe(false);
    now += 59_999;
    expect(reads.recorded('a')).toBe(true);
    now += 1;
    expect(reads.recorded('a')).toBe(false);
  });

  it('records every read with a window of 0', () => {
    const reads = new RecentReads(0);
    reads.remember('a');
    expect(reads.recorded('a')).toBe(false);
  });

  it('forgets the oldest half when full, never the newest', () => {
    const reads = new RecentReads(60_000);
    for (let i = 0; i < 100_000; i++) reads.remember(`k${i}`);
    reads.remember('k0');
    reads.remember('newest');
    expect(reads.recorded('k0')).toBe(true);
    expect(reads.recorded('newest')).toBe(true);
    expect(reads.recorded('k1')).toBe(false);
    expect(reads.recorded('k99999')).toBe(true);
  });
});
