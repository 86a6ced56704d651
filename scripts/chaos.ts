// `npm run chaos`: the split shape under the soak's mixed load while, one after another,
// an instance of each role is killed with SIGKILL and started again, then PostgreSQL, Redis
// and NATS are restarted. Afterwards it checks every invariant (scripts/ops/invariants.ts)
// and writes charts with a marker per fault under docs/operations/. Exits 1 when an
// invariant fails. CHAOS_SERVICES=0 leaves the shared services alone (role kills only).
// Restarting services uses this host's commands (Debian packages, run as root): see
// scripts/ops/services.ts. The services are always left running when the script ends.
import { checkInvariants, drain } from './ops/invariants.js';
import { LoadDriver, MIX, newLoadState } from './ops/load.js';
import { startMemorySampler } from './ops/memory.js';
import { writeReport } from './ops/report.js';
import { ensureServicesUp, restartNats, restartPostgres, restartRedis } from './ops/services.js';
import { createCast, startStack } from './ops/stack.js';
import { buckets } from './ops/stats.js';
import type { Marker } from './ops/svg-chart.js';
import type { SplitRole } from './split-deployment.js';

const RATE = Number(process.env.CHAOS_RATE ?? 15);
const DOWN_MS = Number(process.env.CHAOS_DOWN_SECONDS ?? 3) * 1000;
const GAP_MS = Number(process.env.CHAOS_GAP_SECONDS ?? 10) * 1000;
const WITH_SERVICES = process.env.CHAOS_SERVICES !== '0';
const ROLES: SplitRole[] = ['gateway', 'users', 'catalog', 'payments', 'notifications'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  if (!(RATE > 0)) throw new Error(`CHAOS_RATE must be a positive number`);
  console.log('starting the split shape (2 of each role) on database mamlaka_chaos …');
  const stack = await startStack('mamlaka_chaos', 2);
  const faults: { atS: number; what: string; recoveredS: number }[] = [];
  try {
    const gateways = stack.deployment.gateways.map((g) => g.url);
    const cast = await createCast(gateways[0]!, stack.receiver.url);
    const state = newLoadState();
    const driver = new LoadDriver(() => gateways, cast, state);
    const memory = startMemorySampler(stack.deployment, state.startedAt, 2_000);
    let stopping = false;
    const load = driver.openLoop(
      () => RATE,
      () => stopping,
    );
    const markers: Marker[] = [];
    const fault = async (what: string, act: () => Promise<void>) => {
      const atS = (Date.now() - state.startedAt) / 1000;
      markers.push({ x: atS, label: what });
      const before = state.samples.filter((s) => !s.ok).length;
      console.log(`${atS.toFixed(0)} s: ${what} …`);
      await act();
      const recoveredS = (Date.now() - state.startedAt) / 1000 - atS;
      faults.push({ atS, what, recoveredS });
      await sleep(GAP_MS);
      console.log(
        `  back after ${recoveredS.toFixed(1)} s; errors so far ${before} → ${state.samples.filter((s) => !s.ok).length}`,
      );
    };
    try {
      await sleep(GAP_MS);
      for (const role of ROLES) {
        const victim = stack.deployment.byRole(role)[0]!;
        await fault(`SIGKILL ${role} #1`, async () => {
          await victim.kill();
          await sleep(DOWN_MS);
          await victim.start();
        });
      }
      if (WITH_SERVICES) {
        await fault('restart PostgreSQL', restartPostgres);
        await fault('restart Redis', restartRedis);
        await fault('restart NATS', restartNats);
      }
    } finally {
      stopping = true;
      await load;
      memory.stop();
    }
    const durationS = (Date.now() - state.startedAt) / 1000;
    console.log('load stopped; waiting for the outbox, webhooks and refunds to settle …');
    const drainMs = await drain(stack.databaseUrl, cast.webhookEndpointId, 120_000);
    const invariants = await checkInvariants(stack.databaseUrl, stack.env, cast, state, stack.receiver);
    const errors = state.samples.filter((s) => !s.ok).length;
    writeReport({
      name: 'chaos',
      lines: [
        `split shape, 2 instances of each role; load ${RATE} operations/s (${Object.entries(MIX)
          .map(([op, share]) => `${op} ${share} %`)
          .join(', ')})`,
        `faults: ${faults.map((f) => `${f.what} at ${f.atS.toFixed(0)} s (back in ${f.recoveredS.toFixed(1)} s)`).join('; ')}` +
          (WITH_SERVICES ? '' : ' (service restarts skipped: CHAOS_SERVICES=0)'),
        `duration ${(durationS / 60).toFixed(1)} min, ${state.samples.length} operations, ${errors} errors seen by the client after its retries`,
        `drained ${drainMs} ms after the load stopped`,
        ...invariants.map((r) => `${r.ok ? 'PASS' : '**FAIL**'} ${r.name}: ${r.detail}`),
        ...(state.unexpected.length ? [`first errors: ${state.unexpected.slice(0, 6).join('; ')}`] : []),
        ...(state.errorKinds.size
          ? [
              `errors by kind: ${[...state.errorKinds].map(([kind, count]) => `${kind} × ${count}`).join('; ')}`,
            ]
          : []),
      ],
      samples: state.samples,
      buckets: buckets(state.samples, 2, durationS),
      memory: memory.series(),
      markers,
    });
    if (invariants.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    const started = await ensureServicesUp().catch((error: unknown) => [
      `(could not check: ${String(error)})`,
    ]);
    if (started.length) console.error(`started again at the end: ${started.join(', ')}`);
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
