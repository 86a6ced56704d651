import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { postgresDatabase } from '../../src/platform/db/postgres-database.js';
import { databaseOutbox } from '../../src/platform/events/outbox.js';
import { deleteStream } from '../helpers/nats.js';
import { testDatabase } from '../helpers/services.js';
import { startSmtpServer } from '../helpers/smtp-server.js';
import { signUp, startTestApp } from '../helpers/test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';

const HOLD_SECONDS = 3;

/**
 * A peak of requests fills the request pool and its queue. The relay, the mail consumer and
 * the mail sender work on the background pool (Database.background), so an event committed
 * during the peak becomes a mail before the peak is over; with one pool it waits for the
 * requests queued ahead of it.
 */
describe.runIf(testDatabase() === 'postgres')('the background pool', () => {
  async function duringAPeak(backgroundConnections: number) {
    const smtp = await startSmtpServer();
    const db = await createTestDatabase({ backgroundConnections });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-test-'));
    const app = await startTestApp({ SMTP_URL: smtp.url, MAIL_SEND_INTERVAL: '20ms' }, { db, dataDir });
    // A writer outside the platform's pools: the request that commits during the peak.
    const writer = postgresDatabase(db.url!);
    try {
      const user = await signUp(app);
      await smtp.waitFor(1);
      // Every request connection busy, and more requests queued behind them.
      const requests = app.platform.database;
      const size = requests.poolStats!().inUse + requests.poolStats!().idle;
      let peakOver = false;
      const peak = Promise.all(
        Array.from({ length: Math.max(size, 10) + 4 }, () =>
          requests.db.transaction().execute((trx) => sql`SELECT pg_sleep(${HOLD_SECONDS})`.execute(trx)),
        ),
      ).then(() => (peakOver = true));
      await expect.poll(() => requests.poolStats!().waiting, { timeout: 2_000 }).toBeGreaterThanOrEqual(4);
      await writer.db
        .transaction()
        .execute((trx) =>
          databaseOutbox.append(trx, [
            { type: 'user.registered', aggregate: `user:${user.id}`, data: { id: user.id } },
          ]),
        );
      const arrivedDuringPeak = await smtp.waitFor(2, (HOLD_SECONDS - 1) * 1_000).then(
        () => !peakOver,
        () => false,
      );
      await peak;
      await smtp.waitFor(2, 10_000);
      return arrivedDuringPeak;
    } finally {
      await writer.close();
      await app.close();
      if (app.config.natsUrl) await deleteStream(app.config.natsUrl, app.config.events.natsStream);
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
      await smtp.stop();
    }
  }

  it('turns an event committed during a peak of requests into mail before the peak is over', async () => {
    expect(await duringAPeak(2)).toBe(true);
  });

  it('(control) without it, the same mail waits for the requests queued ahead of it', async () => {
    expect(await duringAPeak(0)).toBe(false);
  });
});
