import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.js';
import { postgresDatabase } from '../../src/platform/db/postgres-database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';

/** The statements the connection's session holds prepared by the protocol (not by PREPARE). */
const preparedTexts = async (db: Database['db']) =>
  (
    await sql<{
      statement: string;
    }>`SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY prepare_time`.execute(db)
  ).rows.map((row) => row.statement);

const nameOf = (db: Database['db'], id: number) =>
  sql<{ name: string }>`SELECT name FROM prepared_rows WHERE id = ${id}`
    .execute(db)
    .then((r) => r.rows[0]?.name);

/**
 * A parameterised statement that repeats on a connection is prepared there once
 * (prepared-statements.ts), so PostgreSQL stops parsing and planning it on every run.
 */
describe.runIf(testDatabase() === 'postgres')('statements prepared per connection', () => {
  let t: TestDatabase;
  const opened: Database[] = [];
  // One connection each, so every statement runs on the session the assertions read.
  const open = (statementCache?: number) => {
    const database = postgresDatabase(serviceUrl('TEST_DATABASE_URL')!, {
      searchPath: t.schema!,
      maxConnections: 1,
      ...(statementCache === undefined ? {} : { statementCache }),
    });
    opened.push(database);
    return database.db;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    const db = open();
    await sql`CREATE TABLE prepared_rows (id int PRIMARY KEY, name text NOT NULL)`.execute(db);
    await sql`INSERT INTO prepared_rows VALUES (1, 'one'), (2, 'two'), (3, 'three')`.execute(db);
  });

  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
  });

  afterAll(async () => {
    await t.drop();
  });

  it('prepares a parameterised statement on its second run and answers every run from it', async () => {
    const db = open();
    expect(await nameOf(db, 1)).toBe('one');
    expect(await preparedTexts(db)).toEqual([]);
    expect(await nameOf(db, 2)).toBe('two');
    expect(await preparedTexts(db)).toEqual([
      expect.stringContaining('SELECT name FROM prepared_rows WHERE id = $1'),
    ]);
    expect(await nameOf(db, 3)).toBe('three');
    expect(await nameOf(db, 4)).toBeUndefined();
    expect(await preparedTexts(db)).toHaveLength(1);
  });

  it('leaves statements without parameters unprepared, several to a text as before', async () => {
    const db = open();
    for (let i = 0; i < 3; i++) await sql`SELECT count(*) FROM prepared_rows`.execute(db);
    await sql.raw('SELECT 1; SELECT 2').execute(db);
    expect(await preparedTexts(db)).toEqual([]);
  });

  it('prepares at most the configured number of statements per connection, and none at 0', async () => {
    const capped = open(2);
    const byLength = (db: Database['db'], n: number) =>
      sql<{ id: number }>`SELECT id FROM prepared_rows WHERE length(name) = ${n} ORDER BY id`
        .execute(db)
        .then((r) => r.rows.map((row) => row.id));
    for (let round = 0; round < 2; round++) {
      expect(await nameOf(capped, 1)).toBe('one');
      expect(await byLength(capped, 3)).toEqual([1, 2]);
      expect(await sql`SELECT ${round}::int AS round`.execute(capped).then((r) => r.rows)).toEqual([
        { round },
      ]);
    }
    expect(await preparedTexts(capped)).toHaveLength(2);

    const none = open(0);
    for (let round = 0; round < 3; round++) expect(await nameOf(none, 2)).toBe('two');
    expect(await preparedTexts(none)).toEqual([]);
  });

  it('keeps a statement prepared inside a transaction that rolls back', async () => {
    const db = open();
    await expect(
      db.transaction().execute(async (trx) => {
        expect(await nameOf(trx, 1)).toBe('one');
        expect(await nameOf(trx, 2)).toBe('two');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await preparedTexts(db)).toHaveLength(1);
    expect(await nameOf(db, 3)).toBe('three');
  });

  it('prepares afresh after a failed statement, and after DDL changed its rows', async () => {
    const db = open();
    const row = (id: number) =>
      sql<Record<string, unknown>>`SELECT * FROM prepared_rows WHERE id = ${id}`
        .execute(db)
        .then((r) => r.rows[0]);
    const failing = (n: number) => sql`SELECT 1 / ${n}::int AS q`.execute(db);
    // A run that fails in execution keeps its statement prepared for the next one.
    await expect(failing(0)).rejects.toThrow(/division by zero/);
    await expect(failing(0)).rejects.toThrow(/division by zero/);
    expect((await failing(1)).rows).toEqual([{ q: 1 }]);

    expect(await row(1)).toEqual({ id: 1, name: 'one' });
    expect(await row(2)).toEqual({ id: 2, name: 'two' });
    await sql`ALTER TABLE prepared_rows ADD COLUMN note text`.execute(db);
    try {
      // PostgreSQL refuses the statement prepared before the table changed, once.
      await expect(row(1)).rejects.toThrow(/cached plan must not change result type/);
      expect(await row(1)).toEqual({ id: 1, name: 'one', note: null });
      expect(await row(3)).toEqual({ id: 3, name: 'three', note: null });
    } finally {
      await sql`ALTER TABLE prepared_rows DROP COLUMN note`.execute(db);
    }
  });
});
