import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.env.js';
import { passwordHashingSettings } from './config.passwords.js';

describe('password hashing settings', () => {
  it('leave one core to the event loop and hash at the lowest priority by default', () => {
    expect(passwordHashingSettings({}, 2)).toEqual({
      concurrency: 1,
      queueLimit: 64,
      nice: 19,
      maxWaitMs: 5_000,
    });
    expect(passwordHashingSettings({}, 8)).toEqual({
      concurrency: 7,
      queueLimit: 448,
      nice: 19,
      maxWaitMs: 5_000,
    });
    expect(passwordHashingSettings({}, 1).concurrency).toBe(1);
  });

  it('take the concurrency, queue limit and priority given, the queue growing with the concurrency by default', () => {
    expect(passwordHashingSettings({ PASSWORD_HASH_CONCURRENCY: '4', PASSWORD_HASH_NICE: '0' }, 2)).toEqual({
      concurrency: 4,
      queueLimit: 256,
      nice: 0,
      maxWaitMs: 5_000,
    });
    expect(passwordHashingSettings({ PASSWORD_HASH_MAX_WAIT: '2s' }, 2).maxWaitMs).toBe(2_000);
    expect(
      passwordHashingSettings({ PASSWORD_HASH_CONCURRENCY: '6', PASSWORD_HASH_QUEUE_LIMIT: '0' }, 2),
    ).toMatchObject({ concurrency: 6, queueLimit: 0 });
  });

  it('refuse a concurrency of 0, a nice value outside 0–19 and values that are not whole numbers', () => {
    expect(() => passwordHashingSettings({ PASSWORD_HASH_CONCURRENCY: '0' })).toThrow(ConfigError);
    expect(() => passwordHashingSettings({ PASSWORD_HASH_NICE: '20' })).toThrow(/PASSWORD_HASH_NICE/);
    expect(() => passwordHashingSettings({ PASSWORD_HASH_NICE: '-1' })).toThrow(/PASSWORD_HASH_NICE/);
    expect(() => passwordHashingSettings({ PASSWORD_HASH_MAX_WAIT: '0s' })).toThrow(/PASSWORD_HASH_MAX_WAIT/);
    expect(() => passwordHashingSettings({ PASSWORD_HASH_QUEUE_LIMIT: 'many' })).toThrow(
      /PASSWORD_HASH_QUEUE_LIMIT/,
    );
  });
});
