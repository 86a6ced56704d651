// Tracing's cost: the same reads on a server with tracing off (no SDK loaded) and on, every
// span exported over OTLP/HTTP to a local receiver in this process, reported as on/off ratios.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFixture, type Scenario } from './scenarios.js';
import { mamlakaSpec, startServer, unlimitedRates } from './servers.js';

export interface TracingRow {
  name: string;
  offPerSec: number;
  onPerSec: number;
  /** on / off throughput: 1 means tracing costs nothing measurable. */
  ratio: number;
  offP99Ms: number;
  onP99Ms: number;
}

interface Load {
  requestsPerSec: number;
  p99Ms: number;
  failedShare: number;
}

/** A collector that accepts and counts OTLP/HTTP exports, as cheap as a real one's network ingress. */
async function startSink(): Promise<{ url: string; exports: () => number; close(): void }> {
  let count = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      count += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => count,
    close: () => server.close(),
  };
}

const readsOf = (token: string): Scenario[] => [
  {
    name: 'GET /users/me',
    server: 'mamlaka',
    method: 'GET',
    path: '/users/me',
    headers: { authorization: `Bearer ${token}` },
  },
  { name: 'GET /products?limit=20', server: 'mamlaka', method: 'GET', path: '/products?limit=20' },
];

/** Runs the reads with tracing off, then on; `measure` is the bench's own load generator. */
export async function runTracingSection(
  measure: (url: string, scenario: Scenario) => Promise<Load>,
): Promise<{ rows: TracingRow[]; exports: number; problems: string[] }> {
  const sink = await startSink();
  const problems: string[] = [];
  const results: Record<'off' | 'on', Load[]> = { off: [], on: [] };
  let names: string[] = [];
  const servers: Awaited<ReturnType<typeof startServer>>[] = [];
  try {
    // Both servers up at once, and each scenario measured off then on right after: a machine
    // whose load drifts during the run skews the two sides alike.
    const specs = [
      await mamlakaSpec({ env: { ...unlimitedRates } }),
      await mamlakaSpec({
        env: { ...unlimitedRates, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'mamlaka-bench' },
      }),
    ];
    for (const spec of specs) servers.push(await startServer(spec));
    const [off, on] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const fixtures = { off: await createFixture(off.url, 100), on: await createFixture(on.url, 100) };
    names = readsOf('').map((scenario) => scenario.name);
    for (const [index] of names.entries()) {
      for (const mode of ['off', 'on'] as const) {
        const scenario = readsOf(fixtures[mode].token)[index]!;
        console.log(`measuring ${scenario.name} with tracing ${mode} …`);
        const load = await measure((mode === 'off' ? off : on).url, scenario);
        if (load.failedShare > 0.01)
          problems.push(`${scenario.name} (tracing ${mode}) failed ${load.failedShare}`);
        results[mode].push(load);
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    sink.close();
  }
  if (sink.exports() === 0) problems.push('tracing on exported nothing to the receiver');
  const rows = names.map((name, index) => {
    const off = results.off[index]!;
    const on = results.on[index]!;
    return {
      name,
      offPerSec: off.requestsPerSec,
      onPerSec: on.requestsPerSec,
      ratio: off.requestsPerSec > 0 ? on.requestsPerSec / off.requestsPerSec : 0,
      offP99Ms: off.p99Ms,
      onP99Ms: on.p99Ms,
    };
  });
  return { rows, exports: sink.exports(), problems };
}

export function tracingReport(rows: TracingRow[]): string {
  const lines = rows.map(
    (row) =>
      `${row.name.padEnd(24)} off ${Math.round(row.offPerSec).toLocaleString('en-US').padStart(7)} req/s ` +
      `(p99 ${row.offP99Ms} ms)  on ${Math.round(row.onPerSec).toLocaleString('en-US').padStart(7)} req/s ` +
      `(p99 ${row.onP99Ms} ms)  on/off ${row.ratio.toFixed(2)}×`,
  );
  return lines.join('\n');
}
