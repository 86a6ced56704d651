// REST through the gateway of the split deployment (gRPC to the services behind it) against
// the all-in-one process, on the same fresh PostgreSQL database, Redis and NATS, the same
// fixture and the same load: the price of the split shape, as ratios.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSplitDeployment } from '../scripts/split-deployment.js';
import { deleteStream } from '../test/helpers/nats.js';
import { createBenchDatabase } from './postgres.js';
import { createFixture, type Fixture, type Scenario, scenarios } from './scenarios.js';
import { mamlakaSpec, startServer, unlimitedRates } from './servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CATALOG = 1_000;

export interface SplitRow {
  name: string;
  allInOnePerSec: number;
  splitPerSec: number;
  ratio: number;
  allInOneP99Ms: number;
  splitP99Ms: number;
}

type Measure = (
  url: string,
  scenario: Scenario,
) => Promise<{ requestsPerSec: number; p99Ms: number; failedShare: number }>;

// The reads of the main table that cross the gateway, defined once in scenarios.ts.
const SPLIT_SCENARIOS = ['GET /users/me', 'GET /products/:id', 'GET /products?limit=20'];
const splitScenarios = (fixture: Fixture): Scenario[] =>
  scenarios(fixture).filter((scenario) => SPLIT_SCENARIOS.includes(scenario.name));

export async function runSplitSection(
  serverUrl: string,
  services: { redisUrl: string; natsUrl: string },
  measure: Measure,
): Promise<{ rows: SplitRow[]; problems: string[] }> {
  const database = await createBenchDatabase(serverUrl);
  const stream = `BENCH_SPLIT_${Date.now()}`;
  const env = {
    ...unlimitedRates,
    REDIS_URL: services.redisUrl,
    NATS_URL: services.natsUrl,
    NATS_STREAM: stream,
    RATE_LIMIT_REDIS_PREFIX: `bench:${Date.now()}`,
    // Both shapes sign and check tokens with the same key and issuer, so one fixture serves both.
    JWT_PRIVATE_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    // …and one key ring: the split services read the fixture's rows the all-in-one process
    // encrypted (without it each process would make its own under its DATA_DIR).
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    PUBLIC_URL: 'http://127.0.0.1:8080',
    LOG_LEVEL: 'warn',
  };
  const problems: string[] = [];
  try {
    const one = await startServer(await mamlakaSpec({ databaseUrl: database.url, env }));
    let fixture: Fixture;
    const allInOne: Awaited<ReturnType<Measure>>[] = [];
    try {
      fixture = await createFixture(one.url, CATALOG);
      for (const scenario of splitScenarios(fixture)) {
        console.log(`measuring ${scenario.name} on the all-in-one process …`);
        allInOne.push(await measure(one.url, scenario));
      }
    } finally {
      await one.stop();
    }
    const split = await startSplitDeployment({ DATABASE_URL: database.url, ...env }, 1, [
      path.join(root, 'bin/mamlaka.js'),
    ]);
    try {
      const rows: SplitRow[] = [];
      const scenarios = splitScenarios(fixture);
      for (const [n, scenario] of scenarios.entries()) {
        console.log(`measuring ${scenario.name} through the split gateway …`);
        const through = await measure(split.gateways[0]!.url, scenario);
        const alone = allInOne[n]!;
        for (const [shape, result] of [
          ['all-in-one', alone],
          ['split', through],
        ] as const) {
          if (result.failedShare > 0.01)
            problems.push(`${scenario.name} (${shape}): ${(result.failedShare * 100).toFixed(1)} % failed`);
        }
        rows.push({
          name: scenario.name,
          allInOnePerSec: Math.round(alone.requestsPerSec),
          splitPerSec: Math.round(through.requestsPerSec),
          ratio: alone.requestsPerSec > 0 ? through.requestsPerSec / alone.requestsPerSec : 0,
          allInOneP99Ms: alone.p99Ms,
          splitP99Ms: through.p99Ms,
        });
      }
      return { rows, problems };
    } finally {
      await split.stop();
    }
  } finally {
    await database.drop();
    await deleteStream(services.natsUrl, stream).catch(() => {});
  }
}

export function splitReport(rows: SplitRow[]): string {
  return rows
    .map(
      (row) =>
        `${row.name.padEnd(24)} all-in-one ${String(row.allInOnePerSec).padStart(6)}/s (p99 ${row.allInOneP99Ms} ms)  ` +
        `split ${String(row.splitPerSec).padStart(6)}/s (p99 ${row.splitP99Ms} ms)  split ÷ all-in-one ${row.ratio.toFixed(2)}×`,
    )
    .join('\n');
}
