import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  defaultRetryPolicy as policy,
  isDelivered,
  isSubscribable,
  retryDelayMs,
  shouldDisable,
} from './webhooks.rules.js';

const noJitter = () => 0.5;

describe('webhook retry rules', () => {
  it('doubles the delay from 30 s and caps it at 6 h', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, noJitter))).toEqual([
      30_000, 60_000, 120_000, 240_000,
    ]);
    expect(retryDelayMs(12, policy, noJitter)).toBe(6 * 3_600_000);
    expect(retryDelayMs(1000, policy, noJitter)).toBe(6 * 3_600_000);
  });

  it('jitters within 80–120 %', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, policy, () => 0.999999)).toBeLessThanOrEqual(36_000);
  });

  it('gives up once the next retry would fall after three days', () => {
    expect(afterFailure({ attempts: 1, ageMs: 0 }, policy, noJitter)).toEqual({
      giveUp: false,
      delayMs: 30_000,
    });
    expect(afterFailure({ attempts: 20, ageMs: 3 * 86_400_000 - 3_600_000 }, policy, noJitter)).toEqual({
      giveUp: true,
    });
  });

  it('retries for about three days in about two dozen attempts', () => {
    let age = 0;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const next = afterFailure({ attempts, ageMs: age }, policy, noJitter);
      if (next.giveUp) break;
      age += next.delayMs;
    }
    expect(age).toBeGreaterThan(2.5 * 86_400_000);
    expect(attempts).toBeGreaterThan(15);
    expect(attempts).toBeLessThan(30);
  });

  it('disables an endpoint after 50 failures in a row or three days of failing', () => {
    expect(shouldDisable({ failureStreak: 49, failingForMs: 0 }, policy)).toBe(false);
    expect(shouldDisable({ failureStreak: 50, failingForMs: 0 }, policy)).toBe(true);
    expect(shouldDisable({ failureStreak: 3, failingForMs: 3 * 86_400_000 }, policy)).toBe(true);
  });

  it('counts only 2xx as delivered', () => {
    expect([200, 204, 299].every(isDelivered)).toBe(true);
    expect([undefined, 199, 301, 302, 400, 500].some(isDelivered)).toBe(false);
  });

  it('knows the subscribable event types', () => {
    expect(isSubscribable('payment.succeeded')).toBe(true);
    expect(isSubscribable('*')).toBe(true);
    expect(isSubscribable('payment.exploded')).toBe(false);
  });
});
