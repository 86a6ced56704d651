// `npm run soak`: the split shape (two instances of every role) on a database of its own,
// its peak measured with the soak's own mix (and the drain of the work the peak left), then
// driven at 70 % of what it sustains for SOAK_MINUTES (30 for the published report).
// Reports errors (goal 0), p50/p99 over time and resident memory per process over time
// (goal: flat), as SVG charts and a Markdown summary under docs/operations/. Needs
// PostgreSQL, Redis and NATS (OPS_POSTGRES_URL, OPS_REDIS_URL, OPS_NATS_URL; local
// defaults). Not a CI test: it takes as long as it is told to.
import { sustainedPerSec } from '../bench/background-work.js';
import { drain } from './ops/invariants.js';
import { LoadDriver, MIX, newLoadState } from './ops/load.js';
import { startMemorySampler } from './ops/memory.js';
import { writeReport } from './ops/report.js';
import { createCast, startStack } from './ops/stack.js';
import { buckets } from './ops/stats.js';

const number = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
};

const MINUTES = number('SOAK_MINUTES', 30);
const LOAD_SHARE = number('SOAK_LOAD_SHARE', 0.7);
const PEAK_SECONDS = number('SOAK_PEAK_SECONDS', 20);
const PEAK_WORKERS = number('SOAK_PEAK_WORKERS', 32);
const INSTANCES = number('SOAK_INSTANCES', 2);
/** A peak whose work has not drained by then is reported at what it sustained in this long. */
const PEAK_DRAIN_LIMIT_MS = 300_000;

async function main(): Promise<void> {
  console.log(`starting the split shape (${INSTANCES} of each role) on database mamlaka_soak …`);
  const stack = await startStack('mamlaka_soak', INSTANCES);
  let stopping = false;
  const interrupt = () => {
    stopping = true;
  };
  process.once('SIGINT', interrupt);
  try {
    const gateways = stack.deployment.gateways.map((g) => g.url);
    const cast = await createCast(gateways[0]!, stack.receiver.url);
    const peakState = newLoadState();
    const peakDriver = new LoadDriver(() => gateways, cast, peakState);
    console.log(`measuring the peak: ${PEAK_WORKERS} callers for ${PEAK_SECONDS} s of the mix …`);
    const fixedRate = Number(process.env.SOAK_RATE) > 0 ? Number(process.env.SOAK_RATE) : undefined;
    const peak = fixedRate === undefined ? await peakDriver.peak(PEAK_WORKERS, PEAK_SECONDS) : undefined;
    // A closed loop runs ahead of the work its requests leave (relaying, webhooks, refunds):
    // what the stack sustains is the peak's operations over the peak and the drain after it.
    const peakDrainMs =
      peak === undefined ? 0 : await drain(stack.databaseUrl, cast.webhookEndpointId, PEAK_DRAIN_LIMIT_MS);
    const sustained =
      peak === undefined ? undefined : sustainedPerSec(peak, PEAK_SECONDS, peakDrainMs / 1000);
    const rate = fixedRate ?? sustained! * LOAD_SHARE;
    const peakErrors = peakState.samples.filter((s) => !s.ok).length;
    console.log(
      peak === undefined
        ? `rate fixed at ${rate.toFixed(1)}/s; soaking for ${MINUTES} min`
        : `peak ${peak.toFixed(1)} operations/s, ${sustained!.toFixed(1)}/s with the ${(peakDrainMs / 1000).toFixed(0)} s drain after it; soaking at ${rate.toFixed(1)}/s for ${MINUTES} min`,
    );

    const state = newLoadState();
    // Refunds need earlier sales: the soak starts knowing those of the peak run.
    for (const [id, ack] of peakState.acknowledged)
      if (!peakState.refunded.has(id)) state.acknowledged.set(id, ack);
    const driver = new LoadDriver(() => gateways, cast, state);
    const memory = startMemorySampler(stack.deployment, state.startedAt, 5_000);
    const endAt = Date.now() + MINUTES * 60_000;
    const progress = setInterval(() => {
      const errors = state.samples.filter((s) => !s.ok).length;
      console.log(
        `  ${Math.round((Date.now() - state.startedAt) / 1000)} s: ${state.samples.length} answered, ${errors} errors, ${state.inFlight} in flight`,
      );
    }, 30_000);
    await driver.openLoop(
      () => rate,
      () => stopping || Date.now() >= endAt,
    );
    clearInterval(progress);
    memory.stop();
    const durationS = (Date.now() - state.startedAt) / 1000;
    const drainMs = await drain(stack.databaseUrl, cast.webhookEndpointId, 60_000);
    const received = [...stack.receiver.seen.values()].reduce((sum, n) => sum + n, 0);
    const errors = state.samples.filter((s) => !s.ok).length;
    writeReport({
      name: 'soak',
      lines: [
        `split shape, ${INSTANCES} instances of each role, on PostgreSQL + Redis + NATS of this machine`,
        `mix: ${Object.entries(MIX)
          .map(([op, share]) => `${op} ${share} %`)
          .join(', ')}; webhooks: every payment and refund event to the seller's endpoint`,
        peak === undefined
          ? `rate fixed by SOAK_RATE: ${rate.toFixed(1)} operations/s`
          : `measured peak ${peak.toFixed(1)} operations/s (${PEAK_WORKERS} callers, ${PEAK_SECONDS} s, ${peakErrors} errors), sustained ${sustained!.toFixed(1)}/s over the peak and its ${(peakDrainMs / 1000).toFixed(0)} s drain; soak at ${Math.round(LOAD_SHARE * 100)} % of that: ${rate.toFixed(1)}/s`,
        `duration ${(durationS / 60).toFixed(1)} min, ${state.samples.length} operations, **${errors} errors**, ${state.dropped} ticks dropped at the in-flight cap`,
        `${state.acknowledged.size} sales known, ${state.refunded.size} refunds acknowledged; ${received} webhook deliveries received (${stack.receiver.seen.size} distinct events), outbox and deliveries drained ${drainMs} ms after the load stopped`,
        ...(state.unexpected.length ? [`first errors: ${state.unexpected.slice(0, 5).join('; ')}`] : []),
        ...(state.errorKinds.size
          ? [
              `errors by kind: ${[...state.errorKinds].map(([kind, count]) => `${kind} × ${count}`).join('; ')}`,
            ]
          : []),
      ],
      samples: state.samples,
      buckets: buckets(state.samples, Math.max(5, Math.round(durationS / 60)), durationS),
      memory: memory.series(),
    });
    if (errors > 0) process.exitCode = 1;
  } finally {
    process.off('SIGINT', interrupt);
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
