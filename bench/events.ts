// Events from the outbox to a consumer, straight through the platform's own pieces (no
// HTTP): `tsx bench/events.ts [postgres-url] [nats-url]`. Two measurements per setup:
// throughput (a backlog of events relayed and handled, events/s) and the delay from a
// writer's commit to the consumer's handling (p50/p99) at a steady, moderate rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { pino } from 'pino';
import { type Database, pgliteDatabase } from '../src/platform/db/database.js';
import { postgresDatabase } from '../src/platform/db/postgres-database.js';
import { pgliteOptions } from '../src/platform/db/embedded.js';
import { migrate } from '../src/platform/db/migrations.js';
import type { EventBus } from '../src/platform/events/event-bus.js';
import { handleOnce } from '../src/platform/events/handle-once.js';
import { openEventBus } from '../src/platform/events/open.js';
import { databaseOutbox } from '../src/platform/events/outbox.js';
import { OutboxRelay } from '../src/platform/events/outbox.relay.js';
import { deleteStream } from '../test/helpers/nats.js';
import { createBenchDatabase } from './postgres.js';

const BACKLOG = 10_000;
const STEADY_RATE_PER_SEC = 200;
const STEADY_SECONDS = 5;
const POLL_INTERVAL_MS = 10;

export interface EventsResult {
  setup: string;
  backlog: number;
  eventsPerSec: number;
  steadyRatePerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  handledOnce: boolean;
}

const logger = pino({ level: 'silent' });
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function measure(setup: string, database: Database, bus: EventBus): Promise<EventsResult> {
  const db = database.db;
  const handledAt = new Map<string, number>();
  let duplicates = 0;
  await bus.subscribe(
    'bench',
    async (event) => {
      // A real consumer's shape: the effect and its handled-record in one transaction.
      const ran = await handleOnce(db, 'bench', event, async () => {});
      if (ran) handledAt.set(event.id, performance.now());
      else duplicates += 1;
    },
    { types: ['bench.tick'] },
  );
  const relay = new OutboxRelay(db, bus, logger, { pollIntervalMs: POLL_INTERVAL_MS });
  try {
    return await drive(setup, db, relay, handledAt, () => duplicates);
  } finally {
    // Also when measuring failed: a relay left running would outlive its database.
    await relay.stop();
  }
}

async function drive(
  setup: string,
  db: Database['db'],
  relay: OutboxRelay,
  handledAt: Map<string, number>,
  duplicates: () => number,
): Promise<EventsResult> {
  // Throughput: a backlog written before the relay starts, drained as fast as it goes.
  await sql`
    INSERT INTO outbox_events (type, aggregate, data)
    SELECT 'bench.tick', 'bench:' || (n % 64), jsonb_build_object('n', n)
    FROM generate_series(1, ${BACKLOG}) n`.execute(db);
  const started = performance.now();
  relay.start();
  const drained = performance.now() + 120_000;
  while (handledAt.size < BACKLOG) {
    if (performance.now() > drained)
      throw new Error(`${setup}: ${handledAt.size} of ${BACKLOG} events handled after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const eventsPerSec = BACKLOG / ((performance.now() - started) / 1000);

  // Latency: one event per transaction at a steady rate, timed from the commit.
  const committedAt = new Map<string, number>();
  const total = STEADY_RATE_PER_SEC * STEADY_SECONDS;
  const gapMs = 1000 / STEADY_RATE_PER_SEC;
  const steadyStart = performance.now();
  for (let n = 0; n < total; n += 1) {
    const [event] = await db
      .transaction()
      .execute((trx) =>
        databaseOutbox.write(trx, [{ type: 'bench.tick', aggregate: 'bench:steady', data: { n } }]),
      );
    committedAt.set(event!.id, performance.now());
    const due = steadyStart + (n + 1) * gapMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const deadline = performance.now() + 30_000;
  while ([...committedAt.keys()].some((id) => !handledAt.has(id)) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const delays = [...committedAt].map(([id, at]) => (handledAt.get(id) ?? Number.POSITIVE_INFINITY) - at);
  delays.sort((a, b) => a - b);
  return {
    setup,
    backlog: BACKLOG,
    eventsPerSec: Math.round(eventsPerSec),
    steadyRatePerSec: STEADY_RATE_PER_SEC,
    latencyP50Ms: Math.round(percentile(delays, 50) * 10) / 10,
    latencyP99Ms: Math.round(percentile(delays, 99) * 10) / 10,
    handledOnce: duplicates() === 0 && handledAt.size === BACKLOG + total,
  };
}

/** Embedded PGlite with the in-process bus, and PostgreSQL with NATS when both are given. */
export async function runEventsBench(postgresUrl?: string, natsUrl?: string): Promise<EventsResult[]> {
  const results: EventsResult[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'mamlaka-bench-events-'));
  const pglite = await PGlite.create(path.join(dir, 'db'), pgliteOptions);
  const embedded = pgliteDatabase(pglite);
  try {
    await migrate(embedded);
    const bus = await openEventBus({ logger });
    results.push(await measure('PGlite + in-process bus', embedded, bus));
    await bus.close();
  } finally {
    await embedded.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (postgresUrl && natsUrl) {
    const bench = await createBenchDatabase(postgresUrl);
    const database = postgresDatabase(bench.url, { maxConnections: 10, onIdleError: () => {} });
    const stream = `BENCH_${Date.now()}`;
    const bus = await openEventBus({ natsUrl, stream, logger });
    try {
      await migrate(database);
      results.push(await measure('PostgreSQL + NATS JetStream', database, bus));
    } finally {
      await bus.close();
      await database.close();
      await bench.drop();
      await deleteStream(natsUrl, stream);
    }
  }
  return results;
}

export function eventsReport(results: EventsResult[]): string {
  return results
    .map(
      (r) =>
        `${r.setup}: ${r.eventsPerSec.toLocaleString('en-US')} events/s relayed and handled ` +
        `(backlog of ${r.backlog.toLocaleString('en-US')}); commit → handled at ${r.steadyRatePerSec}/s: ` +
        `p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms${r.handledOnce ? '' : ' (SOME EVENTS NOT HANDLED EXACTLY ONCE)'}`,
    )
    .join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runEventsBench(process.argv[2], process.argv[3]).then(
    (results) => {
      console.log(eventsReport(results));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
