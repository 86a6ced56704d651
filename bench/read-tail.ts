// Product reads at one fixed rate, alone, with what the server's own /metrics says about the
// phase: its event-loop delay and its garbage collections (prom-client's histogram of GC
// pauses by kind). It answers whether the read tail of the latency section is the server's
// pauses or the load generator's lateness, without the rest of that section.
//   npx tsx bench/read-tail.ts <requests/s> [seconds, default 15]   (BENCH_NO_BUILD=1: dist/ as is)
import { eventLoopLagIn, scrapeEventLoopLag, scrapeMetrics } from './event-loop-lag.js';
import { readsTarget, startWithMetrics } from './latency-section.js';
import { drive } from './open-loop.js';
import { createFixture } from './scenarios.js';
import { buildMamlaka } from './servers.js';

interface GcKind {
  count: number;
  seconds: number;
  /** Pauses longer than 10 ms (the histogram's bucket edge). */
  over10ms: number;
}

/** prom-client's `nodejs_gc_duration_seconds` by kind, from one /metrics text. */
function gcByKind(text: string): Map<string, GcKind> {
  const kinds = new Map<string, GcKind>();
  const of = (kind: string) => {
    if (!kinds.has(kind)) kinds.set(kind, { count: 0, seconds: 0, over10ms: 0 });
    return kinds.get(kind)!;
  };
  const under10ms = new Map<string, number>();
  for (const match of text.matchAll(/^nodejs_gc_duration_seconds_(count|sum|bucket)\{([^}]*)\} (\S+)$/gm)) {
    const [, field, labels, value] = match;
    const kind = /kind="([^"]+)"/.exec(labels!)![1]!;
    if (field === 'count') of(kind).count = Number(value);
    if (field === 'sum') of(kind).seconds = Number(value);
    if (field === 'bucket' && labels!.includes('le="0.01"')) under10ms.set(kind, Number(value));
  }
  for (const [kind, figures] of kinds) figures.over10ms = figures.count - (under10ms.get(kind) ?? 0);
  return kinds;
}

async function main(): Promise<void> {
  const ratePerSec = Number(process.argv[2]);
  const seconds = Number(process.argv[3] ?? 15);
  if (!(ratePerSec > 0)) throw new Error('usage: npx tsx bench/read-tail.ts <requests/s> [seconds]');
  if (process.env.BENCH_NO_BUILD !== '1') buildMamlaka();
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const { server, metricsUrl } = await startWithMetrics(null, (fn) => cleanups.push(fn));
    const fixture = await createFixture(server.url, 1_000);
    const target = readsTarget(server.url, fixture.productIds);
    await drive(target, { seconds: 3, connections: 20 });
    await scrapeEventLoopLag(metricsUrl);
    const before = gcByKind(await scrapeMetrics(metricsUrl));
    const load = await drive(target, { ratePerSec, seconds, connections: 256 });
    const text = await scrapeMetrics(metricsUrl);
    const lag = eventLoopLagIn(text);
    console.log(
      `GET /products/:id at ${ratePerSec}/s for ${seconds} s: p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms ` +
        `(${(load.p99Ms / load.p50Ms).toFixed(2)}×), max ${load.maxMs} ms; sent late by the generator: ` +
        `p99 ${load.sendDelayP99Ms} ms; event-loop delay p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms`,
    );
    for (const [kind, after] of gcByKind(text)) {
      const was = before.get(kind) ?? { count: 0, seconds: 0, over10ms: 0 };
      const count = after.count - was.count;
      if (count === 0) continue;
      const ms = (after.seconds - was.seconds) * 1000;
      console.log(
        `  GC ${kind}: ${count} pauses, ${ms.toFixed(0)} ms in all (${((ms / (seconds * 1000)) * 100).toFixed(1)} % ` +
          `of the phase), mean ${(ms / count).toFixed(2)} ms, ${after.over10ms - was.over10ms} over 10 ms`,
      );
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('read-tail bench failed:', error);
    process.exit(1);
  },
);
