import { ConfigError, duration, integer, read, type Env } from './config.env.js';

/** The Prometheus listener and the periodic ledger check that feeds its ledger gauges. */
export interface MetricsSettings {
  /** GET /metrics is served here; 0 turns the listener off. */
  port: number;
  /** Loopback by default: the series name routes and volumes, not for the public internet. */
  host: string;
  /** How often the ledger check role re-checks the ledger for the ledger gauges. */
  ledgerCheckIntervalMs: number;
}

/** METRICS_PORT (default 9464, 0 = off), METRICS_HOST (default 127.0.0.1), LEDGER_CHECK_INTERVAL (15m). */
export function metricsSettings(env: Env): MetricsSettings {
  const ledgerCheckIntervalMs = duration(env, 'LEDGER_CHECK_INTERVAL', '15m');
  // The check reads the whole ledger: more often than every few seconds would be a load, not a check.
  if (ledgerCheckIntervalMs < 10_000) throw new ConfigError('LEDGER_CHECK_INTERVAL', 'must be at least 10s');
  return {
    port: integer(env, 'METRICS_PORT', 9464, 0, 65535),
    host: read(env, 'METRICS_HOST') ?? '127.0.0.1',
    ledgerCheckIntervalMs,
  };
}
