import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAhead } from '../../src/platform/db/send-ahead.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const UNIQUE_VIOLATION = '23505';

/** An insert built with insertInto, as the commit watchers see inserts (commit-watch.ts). */
const built = (db: Kysely<object>, n: number) =>
  (db as unknown as Kysely<{ ahead_rows: { n: number } }>).insertInto('ahead_rows').values({ n });

/**
 * A write sent ahead (send-ahead.ts) does not wait for its answer, yet commits with its
 * transaction or fails it: never a lost error, never half a transaction.
 */
describe('statements sent ahead', () => {
  let t: TestDatabase;
  const rows = async () =>
    (await sql<{ n: number }>`SELECT n FROM ahead_rows ORDER BY n`.execute(t.database.db)).rows.map(
      (row) => row.n,
    );
  const insert = (n: number) => sql`INSERT INTO ahead_rows (n) VALUES (${n})`;
  const slowInsert = (n: number) => sql`INSERT INTO ahead_rows (n) SELECT ${n} FROM pg_sleep(0.3)`;

  beforeAll(async () => {
    t = await createTestDatabase();
    await sql`CREATE TABLE ahead_rows (n int PRIMARY KEY)`.execute(t.database.db);
  });

  afterAll(async () => {
    await t.drop();
  });

  it('returns before the statement is answered, and the next statement waits for it', async () => {
    await t.database.db.transaction().execute(async (trx) => {
      const sent = performance.now();
      await sendAhead(trx, slowInsert(1).compile(trx));
      expect(performance.now() - sent).toBeLessThan(150);
      // Runs after the insert, in the same transaction: it sees the row.
      expect((await sql<{ n: number }>`SELECT n FROM ahead_rows`.execute(trx)).rows).toEqual([{ n: 1 }]);
    });
    expect(await rows()).toEqual([1]);
  });

  it('commits a statement sent last, with its transaction', async () => {
    await t.database.db.transaction().execute(async (trx) => {
      await insert(2).execute(trx);
      await sendAhead(trx, insert(3).compile(trx));
    });
    expect(await rows()).toEqual([1, 2, 3]);
  });

  it('throws its failure from the next statement, and the transaction commits nothing', async () => {
    const failed = t.database.db.transaction().execute(async (trx) => {
      await insert(4).execute(trx);
      await sendAhead(trx, insert(1).compile(trx));
      await sql`SELECT 1`.execute(trx);
    });
    await expect(failed).rejects.toMatchObject({ code: UNIQUE_VIOLATION });
    expect(await rows()).toEqual([1, 2, 3]);
  });

  it('throws its failure from COMMIT when nothing follows it, and commits nothing', async () => {
    const failed = t.database.db.transaction().execute(async (trx) => {
      await insert(5).execute(trx);
      await sendAhead(trx, insert(2).compile(trx));
    });
    await expect(failed).rejects.toMatchObject({ code: UNIQUE_VIOLATION });
    expect(await rows()).toEqual([1, 2, 3]);
    // The connection is clean afterwards: the next transaction commits.
    await t.database.db.transaction().execute((trx) => insert(6).execute(trx));
    expect(await rows()).toEqual([1, 2, 3, 6]);
  });

  it('tells the commit watchers of an insert sent ahead, after the commit only', async () => {
    const heard: string[] = [];
    const stop = t.database.afterCommit!('ahead_rows', () => heard.push('committed'));
    try {
      await expect(
        t.database.db.transaction().execute(async (trx) => {
          await sendAhead(trx, built(trx, 7));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(heard).toEqual([]);
      await t.database.db.transaction().execute((trx) => sendAhead(trx, built(trx, 8)));
      expect(heard).toEqual(['committed']);
    } finally {
      stop();
    }
    expect(await rows()).toEqual([1, 2, 3, 6, 8]);
  });

  it('runs and waits like any statement outside a transaction', async () => {
    await expect(sendAhead(t.database.db, insert(1).compile(t.database.db))).rejects.toMatchObject({
      code: UNIQUE_VIOLATION,
    });
    await sendAhead(t.database.db, insert(9).compile(t.database.db));
    expect(await rows()).toEqual([1, 2, 3, 6, 8, 9]);
  });
});
