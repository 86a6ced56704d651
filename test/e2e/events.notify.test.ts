import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/platform/events/event.js';
import type { EventBus } from '../../src/platform/events/event-bus.js';
import { handleBatchOnce, handleOnce } from '../../src/platform/events/handle-once.js';
import { openEventBus } from '../../src/platform/events/open.js';
import { databaseOutbox, type NewEvent } from '../../src/platform/events/outbox.js';
import { announceOutboxCommits, outboxSchema } from '../../src/platform/events/outbox.announce.js';
import { OutboxRelay } from '../../src/platform/events/outbox.relay.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { CrashableServer, freePort } from '../helpers/crashable-server.js';
import { eventually } from '../helpers/eventually.js';
import { deleteStream } from '../helpers/nats.js';
import { untilStable } from '../helpers/quiet.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const quiet = createLogger({ logLevel: 'silent', mode: 'sandbox' });
const HOUR_MS = 3_600_000;
const natsUrl = testDatabase() === 'postgres' ? serviceUrl('TEST_NATS_URL') : undefined;

/**
 * The relay is woken by the NOTIFY that follows each commit that wrote events: with its poll
 * set to an hour, an event reaching a consumer within the test's patience was carried by that.
 */
describe('the relay woken by commits', () => {
  let database: TestDatabase;
  let bus: EventBus;
  let stream: string | undefined;
  let stopAnnouncing: (() => void) | undefined;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    stream = natsUrl ? `TEST_NOTIFY_${randomUUID().replaceAll('-', '')}` : undefined;
    bus = await openEventBus({ natsUrl, stream, logger: quiet });
    // What every role of the platform does: announce the commits that wrote events.
    stopAnnouncing = announceOutboxCommits(database.database, quiet);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });
  afterAll(async () => {
    stopAnnouncing?.();
    await bus?.close();
    await database?.drop();
    if (natsUrl && stream) await deleteStream(natsUrl, stream);
  });

  const write = (events: NewEvent[]) =>
    database.database.db.transaction().execute((trx) => databaseOutbox.write(trx, events));

  /** A relay that polls once an hour, started and idle (its first rounds done). */
  async function idleRelay(batchWindowMs = 0): Promise<OutboxRelay> {
    const relay = new OutboxRelay(database.database.db, bus, quiet, {
      pollIntervalMs: HOUR_MS,
      batchWindowMs,
      listen: database.database.listen?.bind(database.database),
    });
    relays.push(relay);
    relay.start();
    await eventually(
      () => relay.current(),
      (stats) => stats.listening && stats.leader,
    );
    await untilStable(() => relay.current().batches);
    return relay;
  }

  async function recorder(consumer: string, type: string): Promise<DomainEvent[]> {
    const seen: DomainEvent[] = [];
    await bus.subscribe(consumer, async (event) => void seen.push(event), { types: [type] });
    return seen;
  }

  it('hears of commits that wrote events, and not of rollbacks or of other writes', async () => {
    const db = database.database.db;
    let commits = 0;
    const stop = database.database.afterCommit!('outbox_events', () => (commits += 1));
    try {
      await write([{ type: 'test.heard', aggregate: 'test:h', data: {} }]);
      expect(commits).toBe(1);
      await db
        .transaction()
        .execute(async (trx) => {
          await databaseOutbox.write(trx, [{ type: 'test.heard', aggregate: 'test:h', data: {} }]);
          throw new Error('roll back');
        })
        .catch(() => {});
      await handleOnce(
        db,
        'heard-check',
        { id: randomUUID(), type: 'test.heard', aggregate: 'test:h', created: 0, data: {} },
        async () => {},
      );
      expect(commits).toBe(1);
    } finally {
      stop();
    }
  });

  it('relays an event committed while it sleeps, and nothing of a rolled-back one', async () => {
    const seen = await recorder('notify-check', 'test.notified');
    const relay = await idleRelay();
    await database.database.db
      .transaction()
      .execute(async (trx) => {
        await databaseOutbox.write(trx, [{ type: 'test.notified', aggregate: 'test:a', data: { n: -1 } }]);
        throw new Error('roll back');
      })
      .catch(() => {});
    const [event] = await write([{ type: 'test.notified', aggregate: 'test:a', data: { n: 1 } }]);
    await eventually(
      () => seen.map((each) => each.id),
      (ids) => ids.includes(event!.id),
    );
    expect(seen.map((each) => each.data)).toEqual([{ n: 1 }]);
    expect(relay.current().published).toBeGreaterThanOrEqual(1);
  });

  it('wakes a relay of its own process that leads without a NOTIFY, and NOTIFYs when it does not lead', async () => {
    const seen = await recorder('local-wake-check', 'test.local');
    const relay = await idleRelay();
    // The announcer of a process whose relay this is; the one of beforeAll stands for the other roles.
    stopAnnouncing?.();
    stopAnnouncing = announceOutboxCommits(database.database, quiet, relay);
    // The channel is shared by every schema of the server, so by the files running beside
    // this one: only this schema's announcements count, as for the relay (outbox.relay.ts).
    const { rows } = await sql<{ schema: string }>`SELECT ${outboxSchema} AS schema`.execute(
      database.database.db,
    );
    const ours = new Set([rows[0]!.schema, 'marker']);
    const heard: string[] = [];
    const listening = await database.database.listen!('mamlaka_outbox', {
      onNotify: (payload) => void (ours.has(payload) && heard.push(payload)),
    });
    try {
      const [first] = await write([{ type: 'test.local', aggregate: 'test:l', data: { n: 1 } }]);
      await eventually(
        () => seen.map((each) => each.id),
        (ids) => ids.includes(first!.id),
      );
      // Notifications arrive in commit order: one sent after that commit would come before this.
      await sql`SELECT pg_notify('mamlaka_outbox', 'marker')`.execute(database.database.db);
      await eventually(
        () => heard.length,
        (count) => count >= 1,
      );
      expect(heard).toEqual(['marker']);

      await relay.stop();
      expect(relay.leads()).toBe(false);
      await write([{ type: 'test.local', aggregate: 'test:l', data: { n: 2 } }]);
      await eventually(
        () => heard.length,
        (count) => count >= 2,
      );
      expect(heard[1]).not.toBe('marker');
    } finally {
      await listening.close();
      stopAnnouncing();
      stopAnnouncing = announceOutboxCommits(database.database, quiet);
    }
  });

  it('starts at once when woken idle, and gathers the commits made within its batch window into one round', async () => {
    const windowMs = 1_000;
    const seen = await recorder('window-check', 'test.window');
    const relay = await idleRelay(windowMs);
    const ids = () => seen.map((each) => each.id);
    // Idle for longer than the window: the next commit is relayed without waiting for it.
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const before = relay.current().batches;
    const wokenAt = Date.now();
    const [first] = await write([{ type: 'test.window', aggregate: 'test:w', data: { n: 0 } }]);
    await eventually(ids, (now) => now.includes(first!.id));
    expect(Date.now() - wokenAt).toBeLessThan(windowMs);
    await eventually(
      () => relay.current().batches,
      (batches) => batches === before + 1,
    );
    // Three commits right behind it, each announced: one round takes them all.
    const rest: DomainEvent[] = [];
    for (const n of [1, 2, 3])
      rest.push(...(await write([{ type: 'test.window', aggregate: 'test:w', data: { n } }])));
    await eventually(ids, (now) => rest.every((event) => now.includes(event.id)));
    expect(await untilStable(() => relay.current().batches)).toBe(before + 2);
  });

  it.runIf(testDatabase() === 'postgres')(
    'listens again after its connection is killed, and relays what was committed meanwhile',
    async () => {
      const seen = await recorder('reconnect-check', 'test.reconnected');
      const relay = await idleRelay();
      const killed = relay.listenerPid()!;
      expect(killed).toBeGreaterThan(0);
      await sql`SELECT pg_terminate_backend(${killed})`.execute(database.database.db);
      // Most likely committed while nobody listens: found when the listener is back.
      const [during] = await write([{ type: 'test.reconnected', aggregate: 'test:b', data: { n: 1 } }]);
      const pid = await eventually(
        () => relay.listenerPid(),
        (now) => now !== undefined && now !== killed,
      );
      expect(pid).not.toBe(killed);
      await untilStable(() => relay.current().batches);
      const [after] = await write([{ type: 'test.reconnected', aggregate: 'test:b', data: { n: 2 } }]);
      await eventually(
        () => seen.map((each) => each.id),
        (ids) => ids.includes(during!.id) && ids.includes(after!.id),
      );
      expect(relay.current().listening).toBe(true);
    },
  );

  it('records a batch once per consumer, whichever instance handles it and in whatever order', async () => {
    const db = database.database.db;
    const events = Array.from({ length: 40 }, (_, n) => ({
      id: randomUUID(),
      type: 'test.batched',
      aggregate: `test:${n % 4}`,
      created: Date.now(),
      data: { n },
    }));
    const effects: string[] = [];
    const handle = (batch: DomainEvent[]) =>
      handleBatchOnce(db, 'batch-check', batch, async (_, fresh) => {
        for (const event of fresh) effects.push(event.id);
      });
    // Two instances with overlapping batches in opposite orders: no deadlock, no repeat.
    const [first, second] = await Promise.all([
      handle(events.slice(0, 30)),
      handle(events.slice(10).reverse()),
    ]);
    expect(first.length + second.length).toBe(40);
    const again = await handle([events[5]!, events[5]!, events[39]!]);
    expect(again).toEqual([]);
    expect(effects).toHaveLength(40);
    expect(new Set(effects)).toEqual(new Set(events.map((event) => event.id)));
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM handled_events WHERE consumer = 'batch-check'`.execute(db);
    expect(rows[0]!.n).toBe(40);
  });

  it('rolls a batch back whole: a failed effect leaves its events to be handled again', async () => {
    const db = database.database.db;
    const events = Array.from({ length: 3 }, (_, n) => ({
      id: randomUUID(),
      type: 'test.batched',
      aggregate: 'test:c',
      created: Date.now(),
      data: { n },
    }));
    await expect(
      handleBatchOnce(db, 'rollback-check', events, async () => {
        throw new Error('effect failed');
      }),
    ).rejects.toThrow('effect failed');
    const ran = await handleBatchOnce(db, 'rollback-check', events, async () => {});
    expect(ran.map((event) => event.id)).toEqual(events.map((event) => event.id));
  });
});

/**
 * A `mamlaka start` process relays a backlog with its poll set to an hour (so only its own
 * rounds, one after another while batches are full, move events) and is killed with SIGKILL
 * mid-way; a consumer taking batches in this process must handle each event exactly once.
 */
describe.runIf(testDatabase() === 'postgres' && serviceUrl('TEST_NATS_URL'))('relay crash', () => {
  const EVENTS = 20_000;
  let database: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-relay-batch-crash-'));
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a batch-relayed backlog exactly once to a batch consumer across a relay crash', async () => {
    const db = database.database.db;
    const stream = `TEST_BATCH_CRASH_${Date.now()}`;
    const nats = serviceUrl('TEST_NATS_URL')!;
    const consumerBus = await openEventBus({ natsUrl: nats, stream, logger: quiet });
    const effects: string[] = [];
    await consumerBus.subscribeBatch(
      'batch-crash',
      async (events) => {
        await handleBatchOnce(db, 'batch-crash', events, async (_, fresh) => {
          for (const event of fresh) effects.push(event.id);
        });
      },
      { types: ['test.crash'] },
    );
    await sql`
      INSERT INTO outbox_events (type, aggregate, data)
      SELECT 'test.crash', 'test:' || (n % 50), jsonb_build_object('n', n)
      FROM generate_series(1, ${EVENTS}) n`.execute(db);
    const published = async () =>
      (
        await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NOT NULL`.execute(db)
      ).rows[0]!.n;
    const server = new CrashableServer(
      {
        DATA_DIR: dataDir,
        DATABASE_URL: database.url!,
        NATS_URL: nats,
        NATS_STREAM: stream,
        OUTBOX_POLL_INTERVAL: '1h',
        MAIL_SEND_INTERVAL: '1h',
        LOG_LEVEL: 'warn',
      },
      await freePort(),
    );
    try {
      await server.start();
      const atKill = await eventually(published, (n) => n > 0, 30_000, 5);
      await server.kill();
      expect(atKill).toBeLessThan(EVENTS);
      // The dead relay's lease lapses; the new process takes it over and finishes the backlog.
      await server.start();
      await eventually(published, (n) => n === EVENTS, 90_000, 100);
      await eventually(
        () => effects.length,
        (n) => n >= EVENTS,
        60_000,
        100,
      );
      await untilStable(() => effects.length);
      expect(effects).toHaveLength(EVENTS);
      expect(new Set(effects).size).toBe(EVENTS);
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM handled_events WHERE consumer = 'batch-crash'`.execute(db);
      expect(rows[0]!.n).toBe(EVENTS);
    } finally {
      await server.kill();
      await consumerBus.close();
      await deleteStream(nats, stream);
    }
  }, 240_000);
});
