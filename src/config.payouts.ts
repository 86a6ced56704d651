import { boundedDuration, ConfigError, duration, type Env, integer, readSecret, url } from './config.env.js';

/** Payouts to banks through Midtrans Iris, and the jobs around them. */
export interface PayoutsSettings {
  /** Iris, when every part of it is set (IRIS_API_URL, IRIS_CREATOR_KEY, IRIS_APPROVER_KEY, IRIS_MERCHANT_KEY). */
  iris:
    | {
        /** Base URL up to `/api/v1`, e.g. https://app.sandbox.midtrans.com/iris. */
        apiUrl: string;
        creatorKey: string;
        approverKey: string;
        /** Verifies the `Iris-Signature` of notifications. */
        merchantKey: string;
      }
    | undefined;
  timeoutMs: number;
  /** How often payouts stuck at Iris are looked up, and how old they must be to count as stuck. */
  reconcileIntervalMs: number;
  stuckAfterMs: number;
  /** How often due payout schedules are run. */
  scheduleIntervalMs: number;
  /** Payouts looked up, or schedules run, per pass. */
  batchSize: number;
}

const IRIS_VARIABLES = ['IRIS_CREATOR_KEY', 'IRIS_APPROVER_KEY', 'IRIS_MERCHANT_KEY'] as const;

export function payoutsSettings(env: Env, readFile: (p: string) => string): PayoutsSettings {
  const apiUrl = url(env, 'IRIS_API_URL', ['http:', 'https:']);
  const [creatorKey, approverKey, merchantKey] = IRIS_VARIABLES.map((name) =>
    readSecret(env, name, readFile),
  );
  const given = [apiUrl, creatorKey, approverKey, merchantKey].filter((value) => value !== undefined);
  // Half an Iris setup would send payouts that nothing can approve or verify.
  if (given.length > 0 && given.length < 4) {
    throw new ConfigError('IRIS_API_URL', `needs ${IRIS_VARIABLES.join(', ')} with it, or none of them`);
  }
  return {
    iris:
      apiUrl && creatorKey && approverKey && merchantKey
        ? { apiUrl, creatorKey, approverKey, merchantKey }
        : undefined,
    timeoutMs: duration(env, 'IRIS_TIMEOUT', '10s'),
    reconcileIntervalMs: duration(env, 'IRIS_RECONCILE_INTERVAL', '1m'),
    stuckAfterMs: boundedDuration(env, 'IRIS_STUCK_AFTER', '10m', 7 * 86_400_000),
    scheduleIntervalMs: duration(env, 'PAYOUT_SCHEDULE_INTERVAL', '5m'),
    batchSize: integer(env, 'PAYOUT_BATCH_SIZE', 100, 1, 1_000),
  };
}
