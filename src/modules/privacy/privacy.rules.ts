import type { ConsentPurpose } from './privacy.tables.js';

/** Nesting beyond this is not an event payload; refusing bounds the walk. */
const MAX_DEPTH = 32;

/**
 * An event's data as `recipientId` may receive it: every mention of a person who asked not
 * to have their data sold or shared (their id, the only personal value events carry) is
 * replaced by null, except in what goes to that person themself; `personal_data_withheld`
 * marks a payload that lost something. Returns `data` itself when nothing changed.
 */
export function withholdPersonalData(
  data: unknown,
  optedOut: ReadonlySet<string>,
  recipientId: string,
): unknown {
  let changed = false;
  const walk = (value: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new Error('event data nested too deeply');
    if (typeof value === 'string') {
      if (value !== recipientId && optedOut.has(value)) {
        changed = true;
        return null;
      }
      return value;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, depth + 1)]));
    }
    return value;
  };
  const result = walk(data, 0);
  if (!changed) return data;
  return result !== null && typeof result === 'object' && !Array.isArray(result)
    ? { ...result, personal_data_withheld: true }
    : result;
}

/** The current answer for each purpose: its latest record, or the default when none. */
export function currentConsents(
  history: readonly { purpose: ConsentPurpose; granted: boolean; recorded_at: string }[],
): Record<ConsentPurpose, { granted: boolean; recorded_at: string | null }> {
  // Marketing mail is on until turned off (as notifications has it); sharing is allowed
  // until the person says "do not" (the CCPA's opt-out model).
  const current: Record<ConsentPurpose, { granted: boolean; recorded_at: string | null }> = {
    marketing_email: { granted: true, recorded_at: null },
    do_not_sell: { granted: false, recorded_at: null },
  };
  const seen = new Set<ConsentPurpose>();
  // Newest first: the first record of a purpose is its current state.
  for (const record of history) {
    if (seen.has(record.purpose)) continue;
    seen.add(record.purpose);
    current[record.purpose] = { granted: record.granted, recorded_at: record.recorded_at };
  }
  return current;
}
