// The bench's closed-loop load: autocannon with a fixed number of connections, each sending
// its next request as soon as the previous answer arrives. It finds how much a server does
// at most (the peak); latency at a given rate is measured open-loop in open-loop.ts.
import autocannon from 'autocannon';
import type { Scenario } from './scenarios.js';

/** Above this share of failed requests a measurement is reported as a problem. */
export const MAX_FAILED_SHARE = 0.01;

function whole(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min}`);
  return value;
}

export interface BenchSettings {
  durationSeconds: number;
  warmupSeconds: number;
  /** Measured runs per scenario where a section takes the median (the REST reads). */
  runs: number;
  connections: number;
}

/** The same settings for every scenario: ratios only mean something under equal load. */
export function benchSettings(): BenchSettings {
  return {
    durationSeconds: whole('BENCH_SECONDS', 10, 1),
    // Unmeasured first seconds let V8 optimise the hot paths and fill connection pools.
    warmupSeconds: whole('BENCH_WARMUP_SECONDS', 2, 0),
    runs: whole('BENCH_RUNS', 1, 1),
    connections: 20,
  };
}

export interface Measurement {
  name: string;
  method: string;
  path: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  non2xx: number;
  errors: number;
  failedShare: number;
  /** What drove the load when not autocannon: for gRPC, h2load or Node's HTTP/2 client. */
  client?: string;
}

function cannon(url: string, scenario: Scenario, duration: number, connections: number) {
  const paths = scenario.paths;
  let turn = 0;
  return autocannon({
    url: `${url}${scenario.path}`,
    ...(paths
      ? { requests: [{ setupRequest: (request) => ({ ...request, path: paths[turn++ % paths.length]! }) }] }
      : {}),
    method: scenario.method,
    headers: scenario.headers ?? {},
    body: scenario.body === undefined ? undefined : JSON.stringify(scenario.body),
    connections,
    duration,
  });
}

/** One scenario: its `prepare` step, the warm-up, then the measured seconds. */
export function measurer(settings: BenchSettings) {
  return async (url: string, scenario: Scenario): Promise<Measurement> => {
    await scenario.prepare?.(url);
    if (settings.warmupSeconds > 0) await cannon(url, scenario, settings.warmupSeconds, settings.connections);
    const result = await cannon(url, scenario, settings.durationSeconds, settings.connections);
    const attempts = result['2xx'] + result.non2xx + result.errors;
    return {
      name: scenario.name,
      method: scenario.method,
      path: scenario.path,
      requestsPerSec: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      responses: result['2xx'] + result.non2xx,
      non2xx: result.non2xx,
      errors: result.errors,
      // No attempt at all is a failure too, not a perfect score.
      failedShare: attempts === 0 ? 1 : (result.non2xx + result.errors) / attempts,
    };
  };
}

export const median = (values: number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
