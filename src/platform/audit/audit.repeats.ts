/** Repeated reads remembered at most; past this the oldest half is forgotten (and re-recorded). */
const MAX_REMEMBERED = 100_000;

/**
 * Which repeated reads were recorded recently: a caller re-reading the same data from the
 * same session, address and client within `windowMs` adds nothing an auditor can use, while
 * writing an entry per request made the busiest read (the own profile) cost an INSERT each.
 * A different session, address or user agent (a stolen token used elsewhere) is recorded at
 * once. Per process: each instance records its first read of the window. `windowMs` 0 records
 * every read.
 */
export class RecentReads {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when an entry with this key was recorded less than the window ago. */
  recorded(key: string): boolean {
    if (this.windowMs === 0) return false;
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  /** Call once the entry for `key` is committed. */
  remember(key: string): void {
    if (this.windowMs === 0) return;
    if (this.until.size >= MAX_REMEMBERED) this.forgetOldest();
    this.until.delete(key);
    this.until.set(key, this.now() + this.windowMs);
  }

  // A Map iterates in insertion order, and remember() re-inserts: the first keys are the oldest.
  private forgetOldest(): void {
    let drop = this.until.size / 2;
    for (const key of this.until.keys()) {
      if (drop-- <= 0) break;
      this.until.delete(key);
    }
  }
}
