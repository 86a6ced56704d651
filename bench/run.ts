// `npm run bench`: throughput and latency of Mamlaka's hot paths against a bare Fastify
// baseline on the same machine, so figures from different machines stay comparable as ratios.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { type CheckoutSection, checkoutReport, runCheckoutSection } from './checkout-section.js';
import { eventsReport, runEventsBench } from './events.js';
import { runFirstStart } from './first-start.js';
import { measureGrpc } from './grpc.js';
import { runSplitSection, splitReport } from './split-section.js';
import { runTracingSection, tracingReport } from './tracing-section.js';
import { postgresTarget } from './postgres.js';
import { type ReconcileSection, reconcileReport, runReconcileSection } from './reconcile.js';
import { createFixture, type Scenario, type ServerName, scenarios } from './scenarios.js';
import { baselineSpec, buildMamlaka, mamlakaSpec, type RunningServer, startServer } from './servers.js';

const MAX_FAILED_SHARE = 0.01;

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number of seconds`);
  return value;
}

// The same settings for every scenario: ratios only mean something under equal load.
const settings = {
  durationSeconds: seconds('BENCH_SECONDS', 10),
  // Unmeasured first seconds let V8 optimise the hot paths and fill connection pools.
  warmupSeconds: seconds('BENCH_WARMUP_SECONDS', 2),
  connections: 20,
};

const machine = {
  cores: os.cpus().length,
  model: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
};

interface Measurement {
  name: string;
  method: string;
  path: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ratio: number;
  responses: number;
  non2xx: number;
  errors: number;
  failedShare: number;
}

function cannon(url: string, scenario: Scenario, duration: number): Promise<autocannon.Result> {
  const paths = scenario.paths;
  let turn = 0;
  return autocannon({
    url: `${url}${scenario.path}`,
    ...(paths
      ? {
          requests: [
            {
              setupRequest: (request) => ({ ...request, path: paths[turn++ % paths.length]! }),
            },
          ],
        }
      : {}),
    method: scenario.method,
    headers: scenario.headers ?? {},
    body: scenario.body === undefined ? undefined : JSON.stringify(scenario.body),
    connections: settings.connections,
    duration,
  });
}

async function measure(url: string, scenario: Scenario): Promise<Omit<Measurement, 'ratio'>> {
  await scenario.prepare?.(url);
  if (settings.warmupSeconds > 0) await cannon(url, scenario, settings.warmupSeconds);
  const result = await cannon(url, scenario, settings.durationSeconds);
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
}

function table(rows: Measurement[]): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'vs baseline', 'non-2xx', 'errors'];
  const cells = rows.map((r) => [
    r.name,
    Math.round(r.requestsPerSec).toLocaleString('en-US'),
    String(r.p50Ms),
    String(r.p99Ms),
    `${r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2)}×`,
    String(r.non2xx),
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** `npm run bench -- reconcile`: the reconciliation section alone (it needs PostgreSQL). */
async function reconcileOnly(): Promise<number> {
  const target = postgresTarget();
  if (!target) {
    console.error('the reconciliation bench needs PostgreSQL: set DATABASE_URL or BENCH_PG_URL');
    return 1;
  }
  const section = await runReconcileSection(target);
  console.log(`\nreconciliation on PostgreSQL:\n${reconcileReport(section)}\n`);
  for (const problem of section.problems) console.error(`WARNING: reconcile: ${problem}`);
  return section.problems.length ? 1 : 0;
}

/** `npm run bench -- tracing`: tracing off vs on (exporting to a local OTLP receiver) alone. */
async function tracingOnly(): Promise<number> {
  buildMamlaka();
  const section = await runTracingSection(measure);
  console.log(
    `\ntracing off vs on (OTLP/HTTP to a local receiver, ${section.exports} exports):\n${tracingReport(section.rows)}\n`,
  );
  for (const problem of section.problems) console.error(`WARNING: tracing: ${problem}`);
  return section.problems.length ? 1 : 0;
}

async function main(): Promise<number> {
  if (process.argv[2] === 'reconcile') return reconcileOnly();
  if (process.argv[2] === 'tracing') return tracingOnly();
  if (process.argv[2] === 'first-start') return runFirstStart();
  console.log(`machine: ${machine.cores} cores, ${machine.model}, Node ${machine.node}, ${machine.platform}`);
  console.log(
    `settings: ${settings.durationSeconds} s per scenario after ${settings.warmupSeconds} s warm-up, ` +
      `${settings.connections} connections`,
  );
  buildMamlaka();

  const servers = new Map<ServerName, RunningServer>();
  // Also whatever the checkout scenarios started or created (their server, their database).
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    // Specs one after the other so the two free-port probes cannot pick the same port; then
    // started together, as Mamlaka's first start creates a database and dominates the wait.
    const specs = [await baselineSpec(), await mamlakaSpec()];
    const started = await Promise.allSettled(specs.map((spec) => startServer(spec)));
    for (const s of started) if (s.status === 'fulfilled') servers.set(s.value.name as ServerName, s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;

    const database = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite';
    console.log(`servers ready; Mamlaka on ${database}`);
    const fixture = await createFixture(servers.get('mamlaka')!.url);

    const measured: Omit<Measurement, 'ratio'>[] = [];
    for (const scenario of scenarios(fixture)) {
      console.log(`measuring ${scenario.name} …`);
      measured.push(await measure(servers.get(scenario.server)!.url, scenario));
    }
    // The same reads over gRPC, on the same server, in the same run.
    console.log('measuring gRPC GetUserByID and GetProduct …');
    const grpcAddress = `127.0.0.1:${specs[1]!.env.GRPC_PORT}`;
    for (const { name, load } of await measureGrpc(grpcAddress, fixture, settings)) {
      const attempts = load.calls + load.errors;
      measured.push({
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
      });
    }
    const baseline = measured[0]!.requestsPerSec;
    const rows = measured.map((m) => ({ ...m, ratio: baseline > 0 ? m.requestsPerSec / baseline : 0 }));

    console.log(`\n${table(rows)}\n`);
    // The checkout scenarios run alone: the servers above stay idle, but are stopped anyway.
    await Promise.all([...servers.values()].map((s) => s.stop()));
    servers.clear();

    const target = postgresTarget();
    let checkout: CheckoutSection | undefined;
    if (target) {
      checkout = await runCheckoutSection(target, settings, (fn) => cleanups.push(fn));
      console.log(
        `\nwallet checkouts on PostgreSQL, ${checkout.connections} connections ` +
          `(${checkout.buyers} buyers, one per connection; ${checkout.products} products):\n` +
          `${checkoutReport(checkout)}\n`,
      );
    } else {
      console.log(
        'SKIPPED the checkout scenarios (wallet checkouts, pgbench ceiling, ledger batches): ' +
          'they need PostgreSQL, and neither DATABASE_URL nor BENCH_PG_URL is set\n',
      );
    }

    let reconcile: ReconcileSection | undefined;
    if (target) {
      reconcile = await runReconcileSection(target, (fn) => cleanups.push(fn));
      console.log(
        `\nreconciliation on PostgreSQL (ledger check, gateways skipped):\n${reconcileReport(reconcile)}\n`,
      );
    } else {
      console.log('SKIPPED the reconciliation bench: it needs PostgreSQL (DATABASE_URL or BENCH_PG_URL)\n');
    }

    // The split deployment against the all-in-one process: PostgreSQL, Redis and NATS needed.
    const redisUrl = process.env.REDIS_URL || process.env.BENCH_REDIS_URL;
    const natsForSplit = process.env.NATS_URL || process.env.BENCH_NATS_URL;
    let split: Awaited<ReturnType<typeof runSplitSection>> | undefined;
    if (target && redisUrl && natsForSplit) {
      split = await runSplitSection(target.url, { redisUrl, natsUrl: natsForSplit }, (url, scenario) =>
        measure(url, scenario),
      );
      console.log(
        `\nREST through the split gateway vs all-in-one (PostgreSQL, Redis, NATS):\n${splitReport(split.rows)}\n`,
      );
    } else {
      console.log(
        'SKIPPED split vs all-in-one: it needs PostgreSQL (DATABASE_URL or BENCH_PG_URL), ' +
          'REDIS_URL or BENCH_REDIS_URL, and NATS_URL or BENCH_NATS_URL\n',
      );
    }

    console.log('measuring tracing off vs on …');
    const tracing = await runTracingSection(measure);
    console.log(`\ntracing off vs on (OTLP/HTTP to a local receiver):\n${tracingReport(tracing.rows)}\n`);

    // Events: PGlite with the in-process bus always; PostgreSQL with NATS when both are set.
    const natsUrl = process.env.NATS_URL || process.env.BENCH_NATS_URL;
    console.log('measuring events (outbox → bus → consumer) …');
    const events = await runEventsBench(target?.url, natsUrl);
    console.log(`\nevents:\n${eventsReport(events)}\n`);
    if (!target || !natsUrl) {
      console.log(
        'SKIPPED events on PostgreSQL + NATS: they need a PostgreSQL URL and NATS_URL or BENCH_NATS_URL\n',
      );
    }

    const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, 'latest.json');
    const report = {
      date: new Date().toISOString(),
      machine,
      settings,
      database,
      results: rows,
      checkout: checkout ?? { skipped: 'no PostgreSQL URL (DATABASE_URL or BENCH_PG_URL)' },
      reconcile: reconcile ?? { skipped: 'no PostgreSQL URL (DATABASE_URL or BENCH_PG_URL)' },
      events,
      split: split?.rows ?? { skipped: 'needs PostgreSQL, Redis and NATS URLs' },
      tracing: tracing.rows,
    };
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`written to ${path.relative(process.cwd(), file)}`);

    const broken = rows.filter((r) => r.failedShare > MAX_FAILED_SHARE);
    for (const r of broken) {
      console.error(
        `WARNING: ${r.name}: ${(r.failedShare * 100).toFixed(1)} % of requests failed ` +
          `(${r.non2xx} non-2xx, ${r.errors} errors); its figures measure errors, not the endpoint`,
      );
    }
    for (const problem of checkout?.problems ?? []) console.error(`WARNING: checkout: ${problem}`);
    for (const problem of split?.problems ?? []) console.error(`WARNING: split: ${problem}`);
    for (const problem of tracing.problems) console.error(`WARNING: tracing: ${problem}`);
    for (const problem of reconcile?.problems ?? []) console.error(`WARNING: reconcile: ${problem}`);
    const unhandled = events.filter((result) => !result.handledOnce);
    for (const result of unhandled)
      console.error(`WARNING: events: ${result.setup}: not every event handled exactly once`);
    return broken.length ||
      checkout?.problems.length ||
      unhandled.length ||
      split?.problems.length ||
      tracing.problems.length ||
      reconcile?.problems.length
      ? 1
      : 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
