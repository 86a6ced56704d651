// Wallet checkouts at a fixed rate, for what they cost rather than how many fit: the CPU time
// the server and PostgreSQL spend per checkout, and the work the checkouts caused that the
// server had not done when the measured seconds ended (events not relayed, mails not sent).
// A rate the server can carry shows whether its background work keeps up with its sales.
//   BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/checkout-fixed-rate.ts [rate] [seconds]
// Defaults: 150 checkouts/s for 30 s after 5 s at the same rate. Uses dist/ as it is (npm run build).
// DATABASE_BACKGROUND_POOL_SIZE (0: one pool for everything), MAIL_SEND_INTERVAL,
// OUTBOX_BATCH_WINDOW, CHECKOUT_GROUP_SLOTS and CHECKOUT_GROUP_SIZE, when set, are passed to
// the server;
// BENCH_CPU_PROF=<dir> has the server write its CPU profile there; BENCH_IDEMPOTENCY_KEYS=1
// sends every checkout with an Idempotency-Key of its own, as the web app does.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createCheckoutFixture, unfinishedWork } from './checkout.js';
import { cpuTicks, postgresTicks, TICK_MS } from './process-cpu.js';
import { drive, httpRequest, type LoadTarget } from './open-loop.js';
import { createBenchDatabase, postgresTarget, withClient } from './postgres.js';
import { mamlakaSpec, passedOn, startServer } from './servers.js';
import { runScript } from './script.js';

const PASSED_ON = [
  'DATABASE_BACKGROUND_POOL_SIZE',
  'MAIL_SEND_INTERVAL',
  'OUTBOX_BATCH_WINDOW',
  'CHECKOUT_GROUP_SLOTS',
  'CHECKOUT_GROUP_SIZE',
] as const;

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 150);
  const seconds = Number(process.argv[3] ?? 30);
  const target = postgresTarget();
  if (!target) throw new Error('set BENCH_PG_URL (or DATABASE_URL) to a PostgreSQL server');
  const database = await createBenchDatabase(target.url);
  const spec = await mamlakaSpec({ databaseUrl: database.url, env: passedOn(PASSED_ON) });
  // BENCH_CPU_PROF=<dir>: the server writes its CPU profile there (bench/cpu-profile.ts).
  const profileDir = process.env.BENCH_CPU_PROF;
  if (profileDir) spec.args.unshift('--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir));
  const server = await startServer(spec);
  const keyed = process.env.BENCH_IDEMPOTENCY_KEYS === '1';
  try {
    const fixture = await createCheckoutFixture(server.url);
    const load: LoadTarget = {
      url: server.url,
      // Each connection pays as its own buyer, as in the latency section.
      request: (slot) =>
        httpRequest(
          server.url,
          'POST',
          '/payments',
          {
            'content-type': 'application/json',
            authorization: `Bearer ${fixture.buyers[slot % fixture.buyers.length]!.token}`,
            ...(keyed ? { 'idempotency-key': randomUUID() } : {}),
          },
          JSON.stringify({
            product_id: fixture.productIds[Math.floor(Math.random() * fixture.productIds.length)],
            quantity: 1,
          }),
        ),
      accept: (status, body) => status === 201 && body.includes('"status":"succeeded"'),
    };
    const connections = 64;
    await drive(load, { ratePerSec: rate, seconds: 5, connections });
    const commits0 = await commitsOf(database.url);
    const [server0, postgres0] = [cpuTicks(server.pid), postgresTicks()];
    const result = await drive(load, { ratePerSec: rate, seconds, connections });
    const [server1, postgres1] = [cpuTicks(server.pid), postgresTicks()];
    const commits = (await commitsOf(database.url)) - commits0;
    const behind = await unfinishedWork(database.url);
    const per = (ticks: number) => ((ticks * TICK_MS) / result.succeeded).toFixed(2);
    console.log(
      `${result.succeeded} ${keyed ? 'keyed ' : ''}checkouts at ${rate}/s for ${seconds} s: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; ` +
        `CPU per checkout: server ${per(server1 - server0)} ms, PostgreSQL ${per(postgres1 - postgres0)} ms; ` +
        `commits per checkout: ${(commits / result.succeeded).toFixed(2)}; ` +
        `when it ended, ${behind.events} events not yet relayed, ${behind.mails} mails not yet sent`,
    );
  } finally {
    await server.stop();
    await database.drop();
  }
}

/** Transactions the database has committed so far (its statistics lag by up to a second). */
async function commitsOf(dbUrl: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return withClient(dbUrl, async (client) => {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ commits: string }>(
      'SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0]!.commits);
  });
}

runScript('checkout at a fixed rate', main);
