import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from './random-pool.js';

describe('pooledRandomBytes', () => {
  it('gives the size asked for, small or larger than a pool', () => {
    for (const size of [1, 3, 12, 32, 1024, 1025, 10_000]) expect(pooledRandomBytes(size)).toHaveLength(size);
  });

  it('hands every byte out once: draws across many pools are all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i += 1) seen.add(pooledRandomBytes(12).toString('hex'));
    expect(seen.size).toBe(100_000);
  });

  it('never changes bytes already handed out when the pool is replaced', () => {
    const first = pooledRandomBytes(12);
    const copy = Buffer.from(first);
    for (let i = 0; i < 10_000; i += 1) pooledRandomBytes(12);
    expect(first.equals(copy)).toBe(true);
  });

  it('draws bytes that look random: every value of a byte turns up', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 10_000; i += 1) for (const byte of pooledRandomBytes(12)) counts[byte]! += 1;
    // 120,000 bytes: about 469 of each value; a pool left zeroed or repeated would not spread so.
    expect(Math.min(...counts)).toBeGreaterThan(300);
    expect(Math.max(...counts)).toBeLessThan(650);
  });
});
