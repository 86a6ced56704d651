import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { newUser } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// The server makes its platform with `deferJobs` and starts the jobs once it listens. The
// outbox relay is the job whose work shows at once: it publishes what a request wrote.
describe('a platform whose background jobs wait for startJobs', () => {
  let db: TestDatabase;
  let platform: Platform;
  const unpublished = async () => {
    const { rows } = await sql<{ count: string }>`
      SELECT count(*)::text AS count FROM outbox_events WHERE published_at IS NULL`.execute(db.database.db);
    return Number(rows[0]!.count);
  };
  const make = (database: TestDatabase) => {
    const config = loadConfig({
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'mamlaka-deferred-')),
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'http://127.0.0.1',
      OUTBOX_POLL_INTERVAL: '20ms',
      METRICS_PORT: '0',
    });
    return createPlatform(config, createLogger(config), database.database, 'all', { deferJobs: true });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    platform = await make(db);
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await db?.drop();
  });

  it('serves at once, and relays what it wrote only once the jobs start', async () => {
    const registered = await platform.app.inject({
      method: 'POST',
      url: '/users/register',
      payload: newUser(),
    });
    expect(registered.statusCode).toBe(201);
    // Ten of the relay's poll intervals: a running relay would have published by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await unpublished()).toBeGreaterThan(0);
    expect(platform.events.relay.current().leader).toBe(false);

    platform.startJobs();
    platform.startJobs();
    await expect.poll(unpublished, { timeout: 10_000 }).toBe(0);
    expect(platform.events.relay.current().leader).toBe(true);
  });

  it('never starts the jobs of a platform that is closing', async () => {
    // A database of its own: on the first one the other platform holds the relay's lease.
    const own = await createTestDatabase();
    try {
      const closed = await make(own);
      await closed.close();
      closed.startJobs();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(closed.events.relay.current().leader).toBe(false);
    } finally {
      await own.drop();
    }
  });
});
