// The checkout scenarios alone (marketplace and flash sale, their pgbench baselines and
// invariants, and the ledger batches), as `npm run bench` runs them:
//   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/checkout-only.ts
// BENCH_SECONDS, BENCH_WARMUP_SECONDS as for the whole bench; BENCH_NO_BUILD=1 uses dist/ as it is;
// BENCH_CPU_PROF=<dir> has every server write its CPU profile there (bench/cpu-profile.ts reads it);
// CHECKOUT_GROUP_SLOTS and CHECKOUT_GROUP_SIZE, when set, are passed to the servers.
// Exits 1 when the section reports a problem (an invariant broken, counts that disagree).
import { checkoutReport, runCheckoutSection } from './checkout-section.js';
import { benchSettings } from './measure.js';
import { postgresTarget } from './postgres.js';
import { buildMamlaka } from './servers.js';

async function main(): Promise<number> {
  const target = postgresTarget();
  if (!target) {
    console.error('the checkout scenarios need PostgreSQL: set DATABASE_URL or BENCH_PG_URL');
    return 2;
  }
  buildMamlaka();
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
  try {
    const section = await runCheckoutSection(target, benchSettings(), (fn) => cleanups.push(fn));
    console.log(`\n${checkoutReport(section)}\n`);
    for (const problem of section.problems) console.error(`WARNING: checkout: ${problem}`);
    return section.problems.length > 0 ? 1 : 0;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('checkout bench failed:', error);
    process.exit(1);
  },
);
