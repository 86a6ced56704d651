import { duration, durationAtLeast, type Env } from './config.env.js';

/** How long records are kept before the retention job deletes them (RETENTION_*). */
export interface RetentionSettings {
  intervalMs: number;
  /** Idempotency keys (and their stored responses): at least 24 h. */
  idempotencyMs: number;
  /** Finished mails with their attempts, and finished Web Push deliveries. */
  notificationsMs: number;
  /** Finished webhook deliveries with their attempts. */
  deliveriesMs: number;
  /** Audit entries: at least 7 days (the database refuses to delete younger ones anyway). */
  auditMs: number;
}

export function retentionSettings(env: Env): RetentionSettings {
  return {
    intervalMs: duration(env, 'RETENTION_INTERVAL', '1h'),
    idempotencyMs: durationAtLeast(env, 'RETENTION_IDEMPOTENCY', '24h', 24 * 3_600_000),
    notificationsMs: duration(env, 'RETENTION_NOTIFICATIONS', '90d'),
    deliveriesMs: duration(env, 'RETENTION_DELIVERIES', '30d'),
    auditMs: durationAtLeast(env, 'RETENTION_AUDIT', '365d', 7 * 24 * 3_600_000),
  };
}
