import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.js';
import { postgresDatabase } from '../../src/platform/db/postgres-database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';

/** Seconds between the transaction's start (its BEGIN) and the statement running now. */
const sinceBegin = async (trx: Database['db']) =>
  (
    await sql<{
      seconds: number;
    }>`SELECT extract(epoch FROM statement_timestamp() - transaction_timestamp())::float8 AS seconds`.execute(
      trx,
    )
  ).rows[0]!.seconds;

/** Whether the connection's next statement runs in autocommit, outside any transaction. */
const outsideTransaction = async (db: Database['db']) =>
  (
    await sql<{
      outside: boolean;
    }>`SELECT transaction_timestamp() = statement_timestamp() AS outside`.execute(db)
  ).rows[0]!.outside;

/**
 * A transaction's BEGIN travels with its first statement (lazy-begin.ts): one round trip
 * for both, and none for a transaction that ends before it sends anything.
 */
describe.runIf(testDatabase() === 'postgres')('BEGIN sent with the first statement', () => {
  let t: TestDatabase;
  // One connection, so every statement below runs on the connection the last one left.
  let one: Database;

  beforeAll(async () => {
    t = await createTestDatabase();
    one = postgresDatabase(serviceUrl('TEST_DATABASE_URL')!, { searchPath: t.schema!, maxConnections: 1 });
    await sql`CREATE TABLE lazy_begin_rows (n int PRIMARY KEY)`.execute(one.db);
  });

  afterAll(async () => {
    await one.close();
    await t.drop();
  });

  it('starts the transaction when its first statement runs, and keeps both statements in it', async () => {
    await one.db.transaction().execute(async (trx) => {
      await sleep(300);
      // Sent at once, BEGIN would have started the transaction 300 ms before this statement.
      expect(await sinceBegin(trx)).toBeLessThan(0.15);
      await sleep(300);
      expect(await sinceBegin(trx)).toBeGreaterThanOrEqual(0.25);
    });
    expect(await outsideTransaction(one.db)).toBe(true);
  });

  it('rolls back the first statement with the rest', async () => {
    await expect(
      one.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO lazy_begin_rows (n) VALUES (1)`.execute(trx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await sql`SELECT n FROM lazy_begin_rows`.execute(one.db)).rows).toEqual([]);
  });

  it('leaves the connection outside a transaction when it ends before any statement', async () => {
    expect(await one.db.transaction().execute(async () => 'empty')).toBe('empty');
    expect(await outsideTransaction(one.db)).toBe(true);
    await expect(
      one.db.transaction().execute(async () => {
        throw new Error('before any statement');
      }),
    ).rejects.toThrow('before any statement');
    expect(await outsideTransaction(one.db)).toBe(true);
    // Nothing held over: the next transaction starts with its own first statement.
    await one.db.transaction().execute(async (trx) => {
      await sleep(200);
      expect(await sinceBegin(trx)).toBeLessThan(0.15);
    });
  });

  it('rolls back after a failing first statement and leaves the connection usable', async () => {
    await expect(
      one.db.transaction().execute(async (trx) => {
        await sql`SELECT 1 / 0`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await outsideTransaction(one.db)).toBe(true);
    await one.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO lazy_begin_rows (n) VALUES (2)`.execute(trx);
    });
    expect((await sql`SELECT n FROM lazy_begin_rows`.execute(one.db)).rows).toEqual([{ n: 2 }]);
  });

  it('keeps a script atomic: a failing statement undoes the ones before it', async () => {
    await expect(
      one.script(async ({ exec }) => {
        await exec('INSERT INTO lazy_begin_rows (n) VALUES (3); INSERT INTO lazy_begin_rows (n) VALUES (4)');
        await exec('SELECT 1 / 0');
      }),
    ).rejects.toThrow(/division by zero/);
    expect((await sql`SELECT n FROM lazy_begin_rows ORDER BY n`.execute(one.db)).rows).toEqual([{ n: 2 }]);
  });
});
