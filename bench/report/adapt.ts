// What adapters of every section share: rows other sections add later in a shape the
// report can take as it is, and a row's p50/p99 note.
import type { Goal, ReportRow } from './types.js';

const isGoal = (value: unknown): value is Goal =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Goal).text === 'string' &&
  typeof (value as Goal).pass === 'boolean';

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * Rows found anywhere in `result` (one level deep, in arrays or as values) that carry a
 * goal as `{ name, goal: { text, pass } }`, with `value`/`perSecond`/`ratio`, `unit` and
 * `baseline` when present. Sections gain scenarios with goals over time (the checkout's
 * marketplace and flash sale); this puts them in the report without touching the adapter.
 */
export function goalRows(result: unknown, skip: ReadonlySet<string> = new Set()): ReportRow[] {
  if (typeof result !== 'object' || result === null) return [];
  const candidates = Object.entries(result).flatMap(([key, value]) =>
    skip.has(key) ? [] : Array.isArray(value) ? value : [value],
  );
  return candidates.flatMap((item): ReportRow[] => {
    if (typeof item !== 'object' || item === null) return [];
    const row = item as Record<string, unknown>;
    if (typeof row.name !== 'string' || !isGoal(row.goal)) return [];
    const ratio = num(row.ratio);
    const baseline = num(row.baseline);
    return [
      {
        name: row.name,
        value: num(row.value) ?? num(row.perSecond) ?? num(row.perSec) ?? ratio,
        unit: typeof row.unit === 'string' ? row.unit : num(row.perSecond) !== undefined ? '/s' : '',
        ...(baseline !== undefined ? { baseline } : {}),
        ...(ratio !== undefined ? { ratio } : {}),
        goal: row.goal,
        ...(typeof row.note === 'string' ? { note: row.note } : {}),
      },
    ];
  });
}

export const latencyNote = (p50Ms: number, p99Ms: number) => `p50 ${p50Ms} ms, p99 ${p99Ms} ms`;
