// The latency section's login storm alone, at a chosen checkout rate: wallet checkouts at a
// fixed rate, then the same checkouts with 100 logins/s (argon2id) beside them, and the
// checkout p99 with the storm ÷ without. Quicker than the whole section, for comparing builds.
// As in the section, each phase starts once the server's outbox and mail queue are drained.
//   BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/login-storm.ts [rate] [seconds]
// Defaults: 200 checkouts/s, 20 s per phase after 5 s of warm-up. Uses dist/ as it is (npm run
// build). PASSWORD_HASH_NICE and PASSWORD_HASH_CONCURRENCY, when set, are passed to the server.
import { drainBackgroundWork } from './background-work.js';
import { createCheckoutFixture } from './checkout.js';
import { checkoutTarget, LOGIN_STORM_PER_SEC, loginTarget } from './latency-section.js';
import { drive, type LoadResult } from './open-loop.js';
import { createBenchDatabase, postgresTarget } from './postgres.js';
import { childrenTicks, cpuTicks, postgresTicks, TICK_MS } from './process-cpu.js';
import { freePort, mamlakaSpec, startServer } from './servers.js';
import { runScript } from './script.js';

const CONNECTIONS = 64;
const LOGIN_CONNECTIONS = 1024;
const PASSED_ON = ['PASSWORD_HASH_NICE', 'PASSWORD_HASH_CONCURRENCY'] as const;

const summary = (load: LoadResult) =>
  `${Math.round(load.perSec)}/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, sent late p99 ${load.sendDelayP99Ms} ms`;

/**
 * Cores used since the last call by the server, its children (the hashing process), every
 * PostgreSQL process and this load generator, as a line.
 */
function cpuShares(serverPid: number) {
  const read = () => ({
    at: performance.now(),
    server: cpuTicks(serverPid) * TICK_MS,
    children: childrenTicks(serverPid) * TICK_MS,
    postgres: postgresTicks() * TICK_MS,
    generator: process.cpuUsage().user / 1_000 + process.cpuUsage().system / 1_000,
  });
  let last = read();
  return () => {
    const now = read();
    const cores = (key: Exclude<keyof typeof now, 'at'>) =>
      ((now[key] - last[key]) / (now.at - last.at)).toFixed(2);
    const line = `cores: server ${cores('server')}, its children ${cores('children')}, PostgreSQL ${cores('postgres')}, generator ${cores('generator')}`;
    last = now;
    return line;
  };
}

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 200);
  const seconds = Number(process.argv[3] ?? 20);
  const target = postgresTarget();
  if (!target) throw new Error('set BENCH_PG_URL (or DATABASE_URL) to a PostgreSQL server');
  const database = await createBenchDatabase(target.url);
  const env = Object.fromEntries(
    PASSED_ON.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const metricsPort = await freePort();
  const server = await startServer(
    await mamlakaSpec({
      databaseUrl: database.url,
      env: { ...env, METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' },
    }),
  );
  const drained = () => drainBackgroundWork(`http://127.0.0.1:${metricsPort}/metrics`);
  try {
    const checkout = checkoutTarget(server.url, await createCheckoutFixture(server.url));
    await drive(checkout, { ratePerSec: rate, seconds: 5, connections: CONNECTIONS });
    await drained();
    const cpu = cpuShares(server.pid);
    const calm = await drive(checkout, { ratePerSec: rate, seconds, connections: CONNECTIONS });
    const calmCpu = cpu();
    const login = await loginTarget(server.url);
    await drained();
    cpu();
    const [stormy, logins] = await Promise.all([
      drive(checkout, { ratePerSec: rate, seconds, connections: CONNECTIONS }),
      drive(login, { ratePerSec: LOGIN_STORM_PER_SEC, seconds, connections: LOGIN_CONNECTIONS }),
    ]);
    const stormCpu = cpu();
    console.log(`checkouts at ${rate}/s, ${seconds} s: ${summary(calm)}; ${calmCpu}`);
    console.log(`  with ${LOGIN_STORM_PER_SEC} logins/s: ${summary(stormy)}; ${stormCpu}`);
    console.log(
      `  logins: ${summary(logins)}; refused with 503: ${logins.rejected[503] ?? 0}; ` +
        `checkout p99 raised ${(stormy.p99Ms / calm.p99Ms).toFixed(2)}×`,
    );
  } finally {
    await server.stop();
    await database.drop();
  }
}

runScript('the login storm', main);
