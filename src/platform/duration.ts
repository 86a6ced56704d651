const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `1500`, `1500ms`, `30s`, `15m`, `24h` or `7d` into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const ms = value * (UNIT_MS[unit] as number);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
