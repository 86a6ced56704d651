import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.env.js';
import { passwordHashingSettings } from './config.passwords.js';

describe('password hashing settings', () => {
  it('leave one core to the event loop and one pool thread to file and DNS work by default', () => {
    expect(passwordHashingSettings({}, 2)).toEqual({ concurrency: 1, queueLimit: 64 });
    expect(passwordHashingSettings({}, 8)).toEqual({ concurrency: 3, queueLimit: 192 });
    expect(passwordHashingSettings({ UV_THREADPOOL_SIZE: '16' }, 8).concurrency).toBe(7);
    expect(passwordHashingSettings({}, 1).concurrency).toBe(1);
  });

  it('take the concurrency and queue limit given, the queue growing with the concurrency by default', () => {
    expect(passwordHashingSettings({ PASSWORD_HASH_CONCURRENCY: '4' }, 2)).toEqual({
      concurrency: 4,
      queueLimit: 256,
    });
    expect(
      passwordHashingSettings({ PASSWORD_HASH_CONCURRENCY: '6', PASSWORD_HASH_QUEUE_LIMIT: '0' }, 2),
    ).toEqual({ concurrency: 6, queueLimit: 0 });
  });

  it('refuse a concurrency of 0 and values that are not whole numbers', () => {
    expect(() => passwordHashingSettings({ PASSWORD_HASH_CONCURRENCY: '0' })).toThrow(ConfigError);
    expect(() => passwordHashingSettings({ PASSWORD_HASH_QUEUE_LIMIT: 'many' })).toThrow(
      /PASSWORD_HASH_QUEUE_LIMIT/,
    );
  });
});
