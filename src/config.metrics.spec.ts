import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.env.js';
import { metricsSettings } from './config.metrics.js';

describe('metrics settings', () => {
  it('serve /metrics on loopback port 9464 and check the ledger every 15 minutes by default', () => {
    expect(metricsSettings({})).toEqual({ port: 9464, host: '127.0.0.1', ledgerCheckIntervalMs: 900_000 });
  });

  it('turn the listener off with METRICS_PORT=0 and take the host and interval given', () => {
    expect(
      metricsSettings({ METRICS_PORT: '0', METRICS_HOST: '0.0.0.0', LEDGER_CHECK_INTERVAL: '1h' }),
    ).toEqual({ port: 0, host: '0.0.0.0', ledgerCheckIntervalMs: 3_600_000 });
  });

  it('refuse a port out of range and a ledger check more often than every 10 seconds', () => {
    expect(() => metricsSettings({ METRICS_PORT: '70000' })).toThrow(ConfigError);
    expect(() => metricsSettings({ LEDGER_CHECK_INTERVAL: '1s' })).toThrow(/LEDGER_CHECK_INTERVAL/);
  });
});
