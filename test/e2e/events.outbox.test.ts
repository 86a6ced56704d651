import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/platform/events/event.js';
import { handleOnce } from '../../src/platform/events/handle-once.js';
import { databaseOutbox, type NewEvent } from '../../src/platform/events/outbox.js';
import { OutboxRelay } from '../../src/platform/events/outbox.relay.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { CrashableServer, freePort } from '../helpers/crashable-server.js';
import { eventually } from '../helpers/eventually.js';
import { deleteStream } from '../helpers/nats.js';
import { NatsTestServer } from '../helpers/nats-server.js';
import { untilQuiet } from '../helpers/quiet.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const quiet = createLogger({ logLevel: 'silent', mode: 'sandbox' });

/** Writes events the way modules do: inside a transaction, through the outbox. */
const write = (app: TestApp, events: NewEvent[]) =>
  app.db.database.db.transaction().execute((trx) => databaseOutbox.write(trx, events));

/** A consumer that keeps every delivery, in arrival order. */
async function record(app: TestApp, name: string, type: string) {
  const seen: DomainEvent[] = [];
  await app.platform.events.bus.subscribe(name, async (event) => void seen.push(event), { types: [type] });
  return seen;
}

const countOf = async (app: TestApp, query: ReturnType<typeof sql<{ n: string | number }>>) =>
  Number((await query.execute(app.db.database.db)).rows[0]!.n);

describe('the outbox and its relay', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('runs on the bus the configuration asks for', () => {
    const nats = testDatabase() === 'postgres' && serviceUrl('TEST_NATS_URL');
    expect(app.platform.events.bus.kind).toBe(nats ? 'nats' : 'in-process');
  });

  it('publishes every committed event once, in order per aggregate, and nothing that rolled back', async () => {
    const seen = await record(app, 'order-check', 'test.ordered');
    const aggregates = ['a', 'b', 'c', 'd'].map((name) => `test:${name}:${Date.now()}`);
    await Promise.all(
      aggregates.map(async (aggregate) => {
        for (let seq = 0; seq < 40; seq += 1)
          await write(app, [{ type: 'test.ordered', aggregate, data: { seq } }]);
      }),
    );
    await app.db.database.db
      .transaction()
      .execute(async (trx) => {
        await databaseOutbox.write(trx, [
          { type: 'test.ordered', aggregate: aggregates[0]!, data: { seq: -1 } },
        ]);
        throw new Error('roll back');
      })
      .catch(() => {});
    await eventually(
      () => seen.length,
      (n) => n >= 160,
    );
    expect(new Set(seen.map((event) => event.id)).size).toBe(160);
    expect(seen.some((event) => (event.data as { seq: number }).seq === -1)).toBe(false);
    for (const aggregate of aggregates) {
      const order = seen
        .filter((event) => event.aggregate === aggregate)
        .map((e) => (e.data as { seq: number }).seq);
      expect(order).toEqual([...order].sort((x, y) => x - y));
      expect(order).toHaveLength(40);
    }
  });

  it('lets only one of several relays publish, and another take over when it stops', async () => {
    const seen = await record(app, 'relay-check', 'test.relayed');
    await app.platform.events.relay.stop();
    const relays = [1, 2, 3].map(
      () =>
        new OutboxRelay(app.db.database.db, app.platform.events.bus, quiet, {
          pollIntervalMs: 5,
          batchSize: 50,
        }),
    );
    try {
      for (const relay of relays) relay.start();
      for (let n = 0; n < 10; n += 1) {
        await write(
          app,
          Array.from({ length: 30 }, (_, i) => ({
            type: 'test.relayed',
            aggregate: 'test:relay',
            data: { n, i },
          })),
        );
      }
      await eventually(
        () => seen.length,
        (n) => n >= 300,
      );
      const leader = relays.find((relay) => relay.current().leader)!;
      expect(relays.filter((relay) => relay.current().leader)).toHaveLength(1);
      await leader.stop();
      await write(app, [{ type: 'test.relayed', aggregate: 'test:relay', data: { after: true } }]);
      await eventually(
        () => seen.length,
        (n) => n >= 301,
      );
      expect(new Set(seen.map((event) => event.id)).size).toBe(seen.length);
      // A relay counts a batch once its stamp commits, which can be after subscribers saw it.
      await eventually(
        () => relays.reduce((sum, relay) => sum + relay.current().published, 0),
        (n) => n >= 301,
      );
      expect(seen).toHaveLength(301);
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
      app.platform.events.relay.start();
    }
  });
});

/**
 * The real components only: a `mamlaka start` process over PostgreSQL and NATS is killed
 * with SIGKILL while it relays, and NATS itself is killed while events flow.
 */
describe.runIf(testDatabase() === 'postgres' && serviceUrl('TEST_NATS_URL'))('crashes', () => {
  // Several of the relay's publishing batches, so the kill lands between two of them.
  const EVENTS = 10_000;
  let database: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-relay-crash-'));
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no event and repeats no effect when the relaying process is killed mid-batch', async () => {
    const db = database.database.db;
    const users = await sql<{ id: string }>`
      INSERT INTO users (name, email, role, password_hash)
      SELECT 'Crash ' || n, 'crash' || n || '@example.com', 'buyer', '$argon2id$unused' FROM generate_series(1, 10) n
      RETURNING id`.execute(db);
    await sql`
      INSERT INTO outbox_events (type, aggregate, data)
      SELECT 'user.registered', 'user:' || u.id, jsonb_build_object('id', u.id)
      FROM generate_series(1, ${EVENTS / 10}) n, unnest(${users.rows.map((u) => u.id)}::uuid[]) u(id)`.execute(
      db,
    );
    const stream = `TEST_CRASH_${Date.now()}`;
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database.url!,
      NATS_URL: serviceUrl('TEST_NATS_URL')!,
      NATS_STREAM: stream,
      OUTBOX_POLL_INTERVAL: '10ms',
      MAIL_SEND_INTERVAL: '1h',
      LOG_LEVEL: 'warn',
    };
    const published = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT count(*) AS n FROM outbox_events WHERE published_at IS NOT NULL`.execute(db)
        ).rows[0]!.n,
      );
    const server = new CrashableServer(env, await freePort());
    try {
      await server.start();
      const atKill = await eventually(published, (n) => n > 0, 30_000, 5);
      await server.kill();
      expect(atKill).toBeLessThan(EVENTS);
      await server.start();
      await eventually(published, (n) => n === EVENTS, 60_000, 100);
      const effects = async () =>
        (
          await sql<{ handled: string; mails: string; distinct: string }>`
            SELECT (SELECT count(*) FROM handled_events WHERE consumer = 'notifications') AS handled,
                   (SELECT count(*) FROM mail_messages) AS mails,
                   (SELECT count(DISTINCT event_id) FROM mail_messages) AS distinct`.execute(db)
        ).rows[0]!;
      // Minutes, not seconds, when the machine is busy: each event is a mail written by its consumer.
      const done = await eventually(effects, (row) => Number(row.handled) === EVENTS, 150_000, 100);
      expect(Number(done.mails)).toBe(EVENTS);
      expect(Number(done.distinct)).toBe(EVENTS);
    } finally {
      await server.kill();
      await deleteStream(serviceUrl('TEST_NATS_URL')!, stream);
    }
  }, 300_000);

  it('loses and repeats nothing when NATS is killed and restarted mid-stream', async () => {
    const nats = await NatsTestServer.start();
    const app = await startTestApp({ NATS_URL: nats.url, NATS_STREAM: 'RESTART_TEST' });
    try {
      const effects: string[] = [];
      await app.platform.events.bus.subscribe(
        'restart-check',
        async (event) => {
          await handleOnce(
            app.db.database.db,
            'restart-check',
            event,
            async () => void effects.push(event.id),
          );
        },
        { types: ['test.restart'] },
      );
      const writer = (async () => {
        for (let n = 0; n < 40; n += 1) {
          await write(
            app,
            Array.from({ length: 10 }, (_, i) => ({
              type: 'test.restart',
              aggregate: `test:${i}`,
              data: { n },
            })),
          );
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      await eventually(
        () => effects.length,
        (n) => n >= 50,
      );
      await nats.stop({ signal: 'SIGKILL' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await nats.restart();
      await writer;
      await eventually(
        () => effects.length,
        (n) => n >= 400,
        60_000,
      );
      // Republished events (after the restart) would have been handled by now.
      await untilQuiet(app.platform);
      expect(effects).toHaveLength(400);
      expect(new Set(effects).size).toBe(400);
      expect(
        await countOf(
          app,
          sql<{ n: string }>`SELECT count(*) AS n FROM handled_events WHERE consumer = 'restart-check'`,
        ),
      ).toBe(400);
    } finally {
      await app.close();
      await nats.close();
    }
  }, 120_000);
});
