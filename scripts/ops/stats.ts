// Latency and error figures over time for the soak and chaos runs: every answer is recorded
// with when it started, and reported per time bucket so a slow drift (a leak, a growing
// queue) shows as a slope rather than disappearing into one run-wide average.

/** The value at quantile `q` (0..1) of ascending `sorted`, nearest rank; 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Sample {
  /** Milliseconds since the run started. */
  atMs: number;
  latencyMs: number;
  ok: boolean;
  operation: string;
}

export interface Bucket {
  /** Start of the bucket, seconds since the run started. */
  startS: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** Groups samples into `bucketS`-second windows (empty windows included, so gaps show). */
export function buckets(samples: readonly Sample[], bucketS: number, untilS?: number): Bucket[] {
  const lastS = untilS ?? samples.reduce((max, s) => Math.max(max, s.atMs / 1000), 0);
  const count = Math.max(1, Math.ceil(lastS / bucketS));
  const latencies: number[][] = Array.from({ length: count }, () => []);
  const errors = new Array<number>(count).fill(0);
  for (const sample of samples) {
    const index = Math.min(count - 1, Math.floor(sample.atMs / 1000 / bucketS));
    latencies[index]!.push(sample.latencyMs);
    if (!sample.ok) errors[index]! += 1;
  }
  return latencies.map((values, index) => {
    values.sort((a, b) => a - b);
    return {
      startS: index * bucketS,
      requests: values.length,
      errors: errors[index]!,
      p50Ms: round(percentile(values, 0.5)),
      p99Ms: round(percentile(values, 0.99)),
    };
  });
}

export interface OperationSummary {
  operation: string;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** Per operation (read, checkout, refund, …): counts and run-wide percentiles. */
export function byOperation(samples: readonly Sample[]): OperationSummary[] {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const group = groups.get(sample.operation) ?? [];
    group.push(sample);
    groups.set(sample.operation, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, group]) => {
      const sorted = group.map((s) => s.latencyMs).sort((a, b) => a - b);
      return {
        operation,
        requests: group.length,
        errors: group.filter((s) => !s.ok).length,
        p50Ms: round(percentile(sorted, 0.5)),
        p99Ms: round(percentile(sorted, 0.99)),
      };
    });
}

/** Least-squares slope of y over x (units of y per unit of x); 0 with fewer than two points. */
export function slope(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

const round = (value: number) => Math.round(value * 10) / 10;
