import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['1500', 1500],
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
  ])('reads %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', '-5s', '1.5h', '10 minutes', 'h', '99999999999999999999d'])('refuses %j', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );
});
