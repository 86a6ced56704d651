import { describe, expect, it } from 'vitest';
import {
  isDue,
  isIrisBankCode,
  lastFour,
  normalizeAccountNumber,
  periodOf,
  scheduledPayoutKey,
} from './payouts.rules.js';

describe('payout destinations', () => {
  it('knows the banks Iris pays to and nothing else', () => {
    for (const code of ['bca', 'bni', 'bri', 'mandiri', 'permata', 'cimb'])
      expect(isIrisBankCode(code)).toBe(true);
    for (const code of ['BCA', 'chase', '', 'bca ']) expect(isIrisBankCode(code)).toBe(false);
  });

  it('keeps only the digits of an account number, within Indonesian lengths', () => {
    expect(normalizeAccountNumber('123-456 7890')).toBe('1234567890');
    expect(normalizeAccountNumber('1234')).toBeUndefined();
    expect(normalizeAccountNumber('1'.repeat(21))).toBeUndefined();
    expect(normalizeAccountNumber('12345abc')).toBeUndefined();
    expect(lastFour('1234567890')).toBe('7890');
  });
});

describe('payout schedules', () => {
  const wednesday = new Date('2026-12-02T13:00:00Z');

  it('pays a daily schedule once a day', () => {
    expect(isDue({ frequency: 'daily', weekday: null, lastPeriod: null }, wednesday)).toBe(true);
    expect(isDue({ frequency: 'daily', weekday: null, lastPeriod: '2026-12-01' }, wednesday)).toBe(true);
    expect(isDue({ frequency: 'daily', weekday: null, lastPeriod: '2026-12-02' }, wednesday)).toBe(false);
  });

  it('pays a weekly schedule on its UTC weekday only', () => {
    expect(isDue({ frequency: 'weekly', weekday: 3, lastPeriod: '2026-11-25' }, wednesday)).toBe(true);
    expect(isDue({ frequency: 'weekly', weekday: 4, lastPeriod: null }, wednesday)).toBe(false);
    expect(isDue({ frequency: 'weekly', weekday: 3, lastPeriod: '2026-12-02' }, wednesday)).toBe(false);
  });

  it('never pays a schedule that is off', () => {
    expect(isDue({ frequency: 'off', weekday: null, lastPeriod: null }, wednesday)).toBe(false);
  });

  it('keys a scheduled payout by its UTC day', () => {
    expect(periodOf(new Date('2026-12-02T23:59:59Z'))).toBe('2026-12-02');
    expect(scheduledPayoutKey(wednesday)).toBe('schedule:2026-12-02');
  });
});
