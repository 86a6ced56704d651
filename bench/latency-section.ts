// Latency under load: for product reads and for wallet checkouts, the peak (closed loop),
// then a fixed rate of 70 % of what the server sustains (the peak over the phase and the time
// its background work took to drain after it; open loop, bench/open-loop.ts) with p50 and p99 counted
// from when each request was due; then the same checkouts with a storm of 100 logins/s
// (argon2id) beside them, and the server's event-loop delay in each phase from its own
// /metrics. Checkouts run on a fresh PostgreSQL database when a server is given, else on
// PGlite; product reads on PGlite (they are answered from the read cache either way).
import { randomUUID } from 'node:crypto';
import { drainBackgroundWork, sustainedPerSec } from './background-work.js';
import { type CheckoutFixture, createCheckoutFixture } from './checkout.js';
import { findPgbench } from './checkout-pgbench.js';
import { type EventLoopLag, scrapeEventLoopLag } from './event-loop-lag.js';
import { type DatabaseControl, measureDatabaseControl } from './latency-pgbench.js';
import type { BenchSettings } from './measure.js';
import { drive, httpRequest, type LoadResult, type LoadTarget } from './open-loop.js';
import { createBenchDatabase, type PostgresTarget } from './postgres.js';
import { createFixture, scenarios } from './scenarios.js';
import { baselineSpec, freePort, mamlakaSpec, type RunningServer, startServer } from './servers.js';

export const SHARE_OF_PEAK = 0.7;
export const LOGIN_STORM_PER_SEC = 100;
/** Closed-loop connections for each peak: the reads section's 20, the checkout section's 64. */
const READ_CONNECTIONS = 20;
const CHECKOUT_CONNECTIONS = 64;
/** Open loop: the most connections opened for reads before requests wait in line. */
const READ_MAX_CONNECTIONS = 256;
// More than the server's hashing queue, so the server's bound is what refuses logins, not this client.
const LOGIN_MAX_CONNECTIONS = 1024;
const CATALOG = 1_000;

export interface FixedRate {
  name: string;
  /** Closed loop: the requests answered per second of the phase. */
  peakPerSec: number;
  /**
   * The peak over the phase and the time its background work took to drain after it (mails
   * the sender deferred while the requests ran): the rate the fixed one is a share of.
   * Absent from runs before it was measured, whose fixed rate was a share of `peakPerSec`.
   */
  sustained?: { perSec: number; drainSeconds: number };
  ratePerSec: number;
  load: LoadResult;
  lag: EventLoopLag;
}

/**
 * The same generator against bare Fastify (bench/baseline.ts): at 70 % of that server's own
 * peak, and at the rate the product reads ran. What a server that does no work shows is the
 * share of the tail that belongs to the generator and the machine, not to Mamlaka.
 */
export interface LatencyControl {
  peakPerSec: number;
  atOwnShare: { ratePerSec: number; load: LoadResult };
  atReadRate: { ratePerSec: number; load: LoadResult };
}

export interface LatencySection {
  checkoutDatabase: 'pglite' | 'postgres';
  reads: FixedRate;
  /** Absent from runs before the control was added. */
  control?: LatencyControl;
  checkouts: FixedRate;
  /**
   * pgbench running the checkout's statements on the same database at fixed rates: the
   * database's own tail. Absent without PostgreSQL or pgbench, and from earlier runs.
   */
  databaseControl?: DatabaseControl;
  storm: { checkouts: LoadResult; logins: LoadResult; loginRatePerSec: number; lag: EventLoopLag };
  problems: string[];
}

type Cleanup = (fn: () => Promise<void>) => void;

export async function startWithMetrics(databaseUrl: string | null, onCleanup: Cleanup) {
  const metricsPort = await freePort();
  const server = await startServer(
    await mamlakaSpec({ databaseUrl, env: { METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' } }),
  );
  onCleanup(server.stop);
  return { server, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/**
 * The peak with `connections` closed-loop, then `SHARE_OF_PEAK` of what the server sustains
 * at a fixed rate. Each phase starts once the work earlier requests left behind is done, so
 * none pays for the backlog of the one before it.
 */
async function fixedRate(
  name: string,
  target: LoadTarget,
  metricsUrl: string,
  settings: BenchSettings,
  connections: { closed: number; open: number },
): Promise<FixedRate> {
  console.log(`latency: ${name}: peak with ${connections.closed} connections …`);
  if (settings.warmupSeconds > 0)
    await drive(target, { seconds: settings.warmupSeconds, connections: connections.closed });
  await drainBackgroundWork(metricsUrl);
  const peak = await drive(target, { seconds: settings.durationSeconds, connections: connections.closed });
  const drainSeconds = await drainBackgroundWork(metricsUrl);
  const sustained = { perSec: sustainedPerSec(peak.perSec, peak.seconds, drainSeconds), drainSeconds };
  const ratePerSec = Math.max(1, Math.round(sustained.perSec * SHARE_OF_PEAK));
  console.log(
    `latency: ${name}: peak ${Math.round(peak.perSec)}/s, ${Math.round(sustained.perSec)}/s with the ` +
      `${drainSeconds.toFixed(1)} s its background work took after it; now ${ratePerSec}/s at a fixed rate …`,
  );
  await scrapeEventLoopLag(metricsUrl);
  const load = await drive(target, {
    ratePerSec,
    seconds: settings.durationSeconds,
    connections: connections.open,
  });
  return {
    name,
    peakPerSec: peak.perSec,
    sustained,
    ratePerSec,
    load,
    lag: await scrapeEventLoopLag(metricsUrl),
  };
}

async function controlRuns(settings: BenchSettings, readRate: number, onCleanup: Cleanup) {
  const server = await startServer(await baselineSpec());
  onCleanup(server.stop);
  try {
    const request = httpRequest(server.url, 'GET', '/');
    const target: LoadTarget = { url: server.url, request: () => request };
    console.log('latency: control: bare Fastify, peak and fixed rates …');
    if (settings.warmupSeconds > 0)
      await drive(target, { seconds: settings.warmupSeconds, connections: READ_CONNECTIONS });
    const peak = await drive(target, { seconds: settings.durationSeconds, connections: READ_CONNECTIONS });
    const fixed = async (ratePerSec: number) => ({
      ratePerSec,
      load: await drive(target, {
        ratePerSec,
        seconds: settings.durationSeconds,
        connections: READ_MAX_CONNECTIONS,
      }),
    });
    const atOwnShare = await fixed(Math.max(1, Math.round(peak.perSec * SHARE_OF_PEAK)));
    const atReadRate = await fixed(readRate);
    return { peakPerSec: peak.perSec, atOwnShare, atReadRate };
  } finally {
    await server.stop();
  }
}

/** pgbench on the checkouts' database, the server stopped; undefined without pgbench. */
async function databaseControlRuns(
  settings: BenchSettings,
  dbUrl: string,
  fixture: CheckoutFixture,
  checkouts: FixedRate,
): Promise<DatabaseControl | undefined> {
  const pgbench = findPgbench();
  if (!pgbench) {
    console.log('latency: no pgbench (set BENCH_PGBENCH): the checkouts’ database control is skipped');
    return undefined;
  }
  console.log('latency: control: pgbench running the checkout’s statements, peak and fixed rates …');
  return measureDatabaseControl(pgbench, dbUrl, fixture, {
    clients: CHECKOUT_CONNECTIONS,
    seconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
    shareOfPeak: SHARE_OF_PEAK,
    checkoutRate: checkouts.ratePerSec,
  });
}

export function readsTarget(url: string, productIds: string[]): LoadTarget {
  const requests = productIds.map((id) => httpRequest(url, 'GET', `/products/${id}`));
  let turn = 0;
  return { url, request: () => requests[turn++ % requests.length]! };
}

export function checkoutTarget(url: string, fixture: CheckoutFixture): LoadTarget {
  return {
    url,
    // Each connection pays as its own buyer, so no two requests in flight wait on one wallet.
    request: (slot) => {
      const buyer = fixture.buyers[slot % fixture.buyers.length]!;
      const product = fixture.productIds[Math.floor(Math.random() * fixture.productIds.length)]!;
      return httpRequest(
        url,
        'POST',
        '/payments',
        { 'content-type': 'application/json', authorization: `Bearer ${buyer.token}` },
        JSON.stringify({ product_id: product, quantity: 1 }),
      );
    },
    accept: (status, body) => status === 201 && body.includes('"status":"succeeded"'),
  };
}

export async function loginTarget(url: string): Promise<LoadTarget> {
  const email = `bench-storm-${randomUUID()}@example.com`;
  const password = 'bench-password-1234';
  const response = await fetch(`${url}/users/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Storm', email, role: 'buyer', password, confirm_password: password }),
  });
  if (response.status !== 201) throw new Error(`register the storm's account: ${response.status}`);
  const request = httpRequest(
    url,
    'POST',
    '/users/login',
    { 'content-type': 'application/json' },
    JSON.stringify({ email, password }),
  );
  return { url, request: () => request };
}

export async function runLatencySection(
  settings: BenchSettings,
  postgres: PostgresTarget | undefined,
  onCleanup: Cleanup,
): Promise<LatencySection> {
  const problems: string[] = [];
  const servers: RunningServer[] = [];
  const bench = postgres ? await createBenchDatabase(postgres.url) : undefined;
  if (bench) onCleanup(bench.drop);
  try {
    const reading = await startWithMetrics(null, onCleanup);
    servers.push(reading.server);
    const fixture = await createFixture(reading.server.url, CATALOG);
    await scenarios(fixture)
      .find((s) => s.name === 'GET /products/:id')
      ?.prepare?.(reading.server.url);
    const reads = await fixedRate(
      'GET /products/:id',
      readsTarget(reading.server.url, fixture.productIds),
      reading.metricsUrl,
      settings,
      { closed: READ_CONNECTIONS, open: READ_MAX_CONNECTIONS },
    );
    await reading.server.stop();
    const control = await controlRuns(settings, reads.ratePerSec, onCleanup);

    const paying = await startWithMetrics(bench?.url ?? null, onCleanup);
    servers.push(paying.server);
    console.log('latency: creating the checkout fixture …');
    const checkoutFixture = await createCheckoutFixture(paying.server.url);
    const checkout = checkoutTarget(paying.server.url, checkoutFixture);
    const checkouts = await fixedRate('POST /payments (wallet)', checkout, paying.metricsUrl, settings, {
      closed: CHECKOUT_CONNECTIONS,
      open: CHECKOUT_CONNECTIONS,
    });

    console.log(
      `latency: checkouts at ${checkouts.ratePerSec}/s with ${LOGIN_STORM_PER_SEC} logins/s beside them …`,
    );
    const login = await loginTarget(paying.server.url);
    await drainBackgroundWork(paying.metricsUrl);
    await scrapeEventLoopLag(paying.metricsUrl);
    const [stormCheckouts, logins] = await Promise.all([
      drive(checkout, {
        ratePerSec: checkouts.ratePerSec,
        seconds: settings.durationSeconds,
        connections: CHECKOUT_CONNECTIONS,
      }),
      drive(login, {
        ratePerSec: LOGIN_STORM_PER_SEC,
        seconds: settings.durationSeconds,
        connections: LOGIN_MAX_CONNECTIONS,
      }),
    ]);
    const stormLag = await scrapeEventLoopLag(paying.metricsUrl);
    await paying.server.stop();
    const databaseControl = bench
      ? await databaseControlRuns(settings, bench.url, checkoutFixture, checkouts)
      : undefined;
    problems.push(...(databaseControl?.problems ?? []));

    for (const [name, load] of [
      ['product reads at a fixed rate', reads.load],
      ['checkouts at a fixed rate', checkouts.load],
      ['checkouts during the login storm', stormCheckouts],
    ] as const) {
      const failed = Object.values(load.rejected).reduce((a, b) => a + b, 0) + load.errors;
      if (failed > 0.01 * load.due)
        problems.push(
          `${name}: ${failed} of ${load.due} requests failed (answers ${JSON.stringify(load.rejected)}, ` +
            `${load.errors} broken or unanswered after the drain)`,
        );
    }
    // Logins beyond the hashing queue are refused with 503 by design; anything else is a fault.
    const loginFaults = Object.fromEntries(
      Object.entries(logins.rejected).filter(([status]) => status !== '503'),
    );
    if (Object.keys(loginFaults).length || logins.errors) {
      problems.push(
        `logins: answers other than 200 and 503: ${JSON.stringify(loginFaults)}; ` +
          `${logins.errors} broken or unanswered after the drain`,
      );
    }
    return {
      checkoutDatabase: bench ? 'postgres' : 'pglite',
      reads,
      control,
      checkouts,
      databaseControl,
      storm: { checkouts: stormCheckouts, logins, loginRatePerSec: LOGIN_STORM_PER_SEC, lag: stormLag },
      problems,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await bench?.drop();
  }
}

/** The console lines of the section. */
export function latencyReport(section: LatencySection): string {
  const line = (
    name: string,
    r: { ratePerSec: number; load: { p50Ms: number; p99Ms: number }; lag?: EventLoopLag },
  ) =>
    `${name.padEnd(40)} ${String(r.ratePerSec).padStart(6)}/s  p50 ${r.load.p50Ms} ms  p99 ${r.load.p99Ms} ms` +
    `  p99/p50 ${(r.load.p99Ms / Math.max(r.load.p50Ms, 0.1)).toFixed(2)}` +
    (r.lag ? `  loop delay p99 ${r.lag.p99Ms} ms, max ${r.lag.maxMs} ms` : '');
  const storm = section.storm;
  const control = section.control;
  return [
    line(`${section.reads.name} (peak ${Math.round(section.reads.peakPerSec)}/s)`, section.reads),
    ...(control
      ? [
          line(`bare Fastify GET / (peak ${Math.round(control.peakPerSec)}/s)`, control.atOwnShare),
          line('  … at the product reads’ rate', control.atReadRate),
        ]
      : []),
    line(`${section.checkouts.name} (peak ${Math.round(section.checkouts.peakPerSec)}/s)`, section.checkouts),
    line('  … with the login storm', {
      ratePerSec: section.checkouts.ratePerSec,
      load: storm.checkouts,
      lag: storm.lag,
    }),
    `logins: ${storm.loginRatePerSec}/s due, ${Math.round(storm.logins.perSec)}/s signed in ` +
      `(p50 ${storm.logins.p50Ms} ms, p99 ${storm.logins.p99Ms} ms), refused ${storm.logins.rejected[503] ?? 0}`,
    ...(section.databaseControl
      ? [
          line(
            `pgbench, checkout's statements (peak ${Math.round(section.databaseControl.peakPerSec)}/s)`,
            section.databaseControl.atOwnShare,
          ),
          line('  … at the checkouts’ rate', section.databaseControl.atCheckoutRate),
        ]
      : []),
  ].join('\n');
}
