/**
 * The Indonesian bank codes Iris pays out to that the platform offers: a bounded list, so
 * a typo is a 400 here rather than a failed transfer days later.
 */
export const IRIS_BANK_CODES = [
  'bca',
  'bni',
  'bri',
  'mandiri',
  'permata',
  'cimb',
  'danamon',
  'btn',
  'bsi',
  'mega',
  'maybank',
  'panin',
  'ocbc',
  'btpn',
  'muamalat',
  'sinarmas',
  'uob',
  'hsbc',
  'citibank',
  'dbs',
  'bukopin',
  'jago',
] as const;

export const isIrisBankCode = (code: string): boolean =>
  (IRIS_BANK_CODES as readonly string[]).includes(code);

/** Destinations one seller may keep. */
export const MAX_DESTINATIONS = 5;
export const MAX_HOLDER_NAME = 100;

/** Indonesian account numbers are digits, 5 to 20 of them (spaces and dashes as people write them are dropped). */
export function normalizeAccountNumber(text: string): string | undefined {
  const digits = text.replace(/[\s-]/g, '');
  return /^[0-9]{5,20}$/.test(digits) ? digits : undefined;
}

/** What a seller sees of an account number. */
export const lastFour = (accountNumber: string): string => accountNumber.slice(-4);

export type Frequency = 'daily' | 'weekly' | 'off';

/** The UTC day a run belongs to, `yyyy-mm-dd`: a schedule pays at most once per such day. */
export const periodOf = (now: Date): string => now.toISOString().slice(0, 10);

/**
 * Whether a schedule pays today: daily ones every day, weekly ones on their weekday (0 =
 * Sunday, UTC), neither twice on the same day.
 */
export function isDue(
  schedule: { frequency: Frequency; weekday: number | null; lastPeriod: string | null },
  now: Date,
): boolean {
  if (schedule.frequency === 'off') return false;
  if (schedule.lastPeriod !== null && schedule.lastPeriod >= periodOf(now)) return false;
  return schedule.frequency === 'daily' || schedule.weekday === now.getUTCDay();
}

/** The idempotency key of a scheduled payout: one per seller per day, on every instance. */
export const scheduledPayoutKey = (now: Date): string => `schedule:${periodOf(now)}`;
