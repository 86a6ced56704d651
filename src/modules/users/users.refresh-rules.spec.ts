import { describe, expect, it } from 'vitest';
import { judgeSpentRefresh, spentWithinGrace } from './users.refresh-rules.js';

const now = new Date('2030-01-01T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const GRACE = 10_000;
const spent = (
  overrides: Partial<{ used_at: Date | null; revoked_at: Date | null; expires_at: Date }> = {},
) => ({
  used_at: ago(2_000),
  revoked_at: null,
  expires_at: new Date(now.getTime() + 86_400_000),
  ...overrides,
});
const unused = { used_at: null };
const used = { used_at: ago(1_000) };

describe('a spent refresh token presented again', () => {
  it('is a retry within the grace while nothing issued after it has been used', () => {
    expect(judgeSpentRefresh(spent(), [unused], now, GRACE)).toBe('retry');
    expect(judgeSpentRefresh(spent(), [], now, GRACE)).toBe('retry');
    // Earlier retries left revoked, unused tokens behind: still nobody moved on.
    expect(judgeSpentRefresh(spent(), [unused, unused, unused], now, GRACE)).toBe('retry');
  });

  it('is reuse once a token issued after it has been used, however recent', () => {
    expect(judgeSpentRefresh(spent({ used_at: ago(1) }), [used], now, GRACE)).toBe('reuse');
    expect(judgeSpentRefresh(spent(), [unused, used], now, GRACE)).toBe('reuse');
  });

  it('is reuse from the moment the grace since its first spend has passed', () => {
    expect(judgeSpentRefresh(spent({ used_at: ago(GRACE - 1) }), [unused], now, GRACE)).toBe('retry');
    expect(judgeSpentRefresh(spent({ used_at: ago(GRACE) }), [unused], now, GRACE)).toBe('reuse');
    expect(judgeSpentRefresh(spent({ used_at: ago(3_600_000) }), [], now, GRACE)).toBe('reuse');
  });

  it('is always reuse when the grace is 0, as before there was one', () => {
    expect(judgeSpentRefresh(spent({ used_at: now }), [unused], now, 0)).toBe('reuse');
    expect(judgeSpentRefresh(spent({ used_at: ago(1) }), [], now, 0)).toBe('reuse');
  });

  it('is reuse when its family was revoked or it has expired, even within the grace', () => {
    expect(judgeSpentRefresh(spent({ revoked_at: ago(500) }), [unused], now, GRACE)).toBe('reuse');
    expect(judgeSpentRefresh(spent({ expires_at: now }), [unused], now, GRACE)).toBe('reuse');
  });

  it('counts a spend stamped slightly in the future (another instance’s clock) as within the grace', () => {
    expect(spentWithinGrace(spent({ used_at: new Date(now.getTime() + 200) }), now, GRACE)).toBe(true);
  });
});

describe('a refresh token that was never spent but could not be spent now', () => {
  it('is invalid: unknown, expired or revoked, with no theft to answer', () => {
    expect(judgeSpentRefresh(undefined, [], now, GRACE)).toBe('invalid');
    expect(judgeSpentRefresh(spent({ used_at: null, revoked_at: ago(1) }), [], now, GRACE)).toBe('invalid');
    expect(judgeSpentRefresh(spent({ used_at: null, expires_at: ago(1) }), [], now, GRACE)).toBe('invalid');
  });
});
