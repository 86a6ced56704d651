// The REST reads against bare Fastify, and the same reads over gRPC, on one database:
// embedded PGlite, or a fresh database on a PostgreSQL server (dropped afterwards). With
// BENCH_RUNS above 1 every scenario is measured that many times, one round of all scenarios
// after the other (so a machine whose load drifts skews every scenario alike), and each
// ratio is the median of the rounds' ratios.
import { measureGrpc } from './grpc.js';
import { type BenchSettings, MAX_FAILED_SHARE, type Measurement, measurer, median } from './measure.js';
import { createBenchDatabase } from './postgres.js';
import { createFixture, scenarios } from './scenarios.js';
import { baselineSpec, mamlakaSpec, type RunningServer, startServer } from './servers.js';

export type ReadsDatabase = { kind: 'pglite' } | { kind: 'postgres'; serverUrl: string };

export interface ReadsRow {
  name: string;
  /** What the ratio is taken against: the bare Fastify baseline, or the REST route a gRPC call mirrors. */
  reference: string;
  /** Median over the runs. */
  perSec: number;
  /** The reference's rate, median over the runs (for gRPC: its REST twin measured right before). */
  referencePerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  perSecRuns: number[];
  ratioRuns: number[];
  failedShare: number;
  client?: string;
}

export interface ReadsResult {
  database: 'pglite' | 'postgres';
  runs: number;
  rows: ReadsRow[];
  problems: string[];
}

/** gRPC calls and the REST route each is compared with. */
export const GRPC_REFERENCE: Record<string, string> = {
  'gRPC GetProduct': 'GET /products/:id',
  'gRPC GetUserByID': 'GET /users/me',
};

export async function runReadsSection(
  database: ReadsDatabase,
  settings: BenchSettings,
  onCleanup: (fn: () => Promise<void>) => void,
): Promise<ReadsResult> {
  const measure = measurer(settings);
  const bench = database.kind === 'postgres' ? await createBenchDatabase(database.serverUrl) : undefined;
  if (bench) onCleanup(bench.drop);
  const servers: RunningServer[] = [];
  try {
    // Specs one after the other so the free-port probes cannot pick the same port; then
    // started together, as Mamlaka's first start dominates the wait.
    const mamlaka = await mamlakaSpec({ databaseUrl: bench?.url ?? null });
    const specs = [await baselineSpec(), mamlaka];
    const started = await Promise.allSettled(specs.map((spec) => startServer(spec)));
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [baseline, server] = servers as [RunningServer, RunningServer];
    for (const s of servers) onCleanup(s.stop);
    console.log(`reads on ${database.kind}: servers ready`);
    const fixture = await createFixture(server.url);

    const rounds: Round[] = [];
    for (let run = 1; run <= settings.runs; run++) {
      const round: Round = [];
      for (const scenario of scenarios(fixture)) {
        console.log(`measuring ${scenario.name} (${database.kind}, run ${run} of ${settings.runs}) …`);
        // Every round warms the read cache again: a round takes minutes, and entries live
        // CATALOG_CACHE_TTL (60 s), so a later round would otherwise start with all of them
        // expired at once and measure 10,000 reloads instead of warm reads.
        round.push({
          m: await measure(scenario.server === 'baseline' ? baseline.url : server.url, scenario),
        });
      }
      console.log(`measuring gRPC GetUserByID and GetProduct, each after its REST twin (run ${run}) …`);
      // Each call right after its REST twin on the same server at the same concurrency: the
      // ratio is taken between those two, not against the REST scenario measured earlier.
      const grpc = await measureGrpc(`127.0.0.1:${mamlaka.env.GRPC_PORT}`, fixture, settings, {
        url: server.url,
      });
      for (const { name, load } of grpc) {
        const attempts = load.calls + load.errors;
        round.push({
          m: {
            name,
            method: 'gRPC',
            path: name.replace('gRPC ', ''),
            requestsPerSec: load.callsPerSec,
            p50Ms: load.p50Ms,
            p99Ms: load.p99Ms,
            responses: attempts,
            non2xx: load.errors,
            errors: 0,
            failedShare: attempts === 0 ? 1 : load.errors / attempts,
            client: load.client,
          },
          ...(load.ratioToRest === undefined || !load.rest
            ? {}
            : { ratio: load.ratioToRest, referencePerSec: load.rest.requestsPerSec }),
        });
      }
      rounds.push(round);
    }
    return { database: database.kind, runs: settings.runs, ...summarise(rounds) };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await bench?.drop();
  }
}

/** One round of every scenario; `ratio` when the measurement brought its own reference. */
type Round = { m: Measurement; ratio?: number; referencePerSec?: number }[];

/** Medians over the rounds; each round's ratios are taken within that round. */
function summarise(rounds: Round[]): { rows: ReadsRow[]; problems: string[] } {
  const first = (rounds[0] ?? []).map((entry) => entry.m);
  const baselineName = first[0]?.name ?? '';
  const problems: string[] = [];
  const rows = first.map(({ name }) => {
    const reference = GRPC_REFERENCE[name] ?? baselineName;
    const runs = rounds.map((round) => {
      const entry = round.find((r) => r.m.name === name)!;
      const ref = round.find((r) => r.m.name === reference)!.m;
      const ratio = entry.ratio ?? (ref.requestsPerSec > 0 ? entry.m.requestsPerSec / ref.requestsPerSec : 0);
      return { m: entry.m, ratio, referencePerSec: entry.referencePerSec ?? ref.requestsPerSec };
    });
    const perSecRuns = runs.map((r) => r.m.requestsPerSec);
    const perSec = median(perSecRuns);
    // Latencies of the run whose throughput is closest to the median, not a mix of runs.
    const typical = runs.reduce((a, b) =>
      Math.abs(b.m.requestsPerSec - perSec) < Math.abs(a.m.requestsPerSec - perSec) ? b : a,
    ).m;
    const failedShare = Math.max(...runs.map((r) => r.m.failedShare));
    if (failedShare > MAX_FAILED_SHARE) {
      problems.push(
        `${name}: ${(failedShare * 100).toFixed(1)} % of requests failed in a run; ` +
          'its figures measure errors, not the endpoint',
      );
    }
    return {
      name,
      reference,
      perSec,
      referencePerSec: median(runs.map((r) => r.referencePerSec)),
      ratio: median(runs.map((r) => r.ratio)),
      p50Ms: typical.p50Ms,
      p99Ms: typical.p99Ms,
      perSecRuns,
      ratioRuns: runs.map((r) => r.ratio),
      failedShare,
      ...(typical.client ? { client: typical.client } : {}),
    };
  });
  return { rows, problems };
}

/** The console table of the section. */
export function readsTable(result: ReadsResult): string {
  const header = ['scenario', 'per s', 'p50 ms', 'p99 ms', 'ratio', 'against'];
  const cells = result.rows.map((r) => [
    r.name,
    Math.round(r.perSec).toLocaleString('en-US'),
    String(r.p50Ms),
    String(r.p99Ms),
    `${r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2)}×`,
    r.reference,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 || i === 5 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
