import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encryptedColumns } from '../../src/encrypted-columns.js';
import { emailIndexOf } from '../../src/modules/users/users.encryption.js';
import { forgetIfEncrypted } from '../../src/platform/crypto/plaintext-seen.js';
import { encryptLegacyValues } from '../../src/platform/crypto/rotation.js';
import { eventually } from '../helpers/eventually.js';
import { testKeyRing } from '../helpers/keyring.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Migration 0038: the database lists the encrypted columns plaintext was written to, and
 * the start-up pass reads only those (both databases).
 */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());
const db = () => t.database.db as Kysely<object>;
const ring = testKeyRing();
const silent = pino({ level: 'silent' });

async function listed(): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT table_name || '.' || column_name AS name FROM encryption_plaintext_seen ORDER BY 1`.execute(db());
  return rows.map((row) => row.name);
}

/** A user row as code from before encryption wrote it: plaintext, no blind index. */
async function legacyUser(values: { name?: string; email?: string } = {}): Promise<string> {
  const tag = randomBytes(5).toString('hex');
  const { rows } = await sql<{ id: string }>`
    INSERT INTO users (name, email, role, password_hash)
    VALUES (${values.name ?? `Legacy ${tag}`}, ${values.email ?? `legacy.${tag}@example.com`}, 'buyer', '$argon2id$x')
    RETURNING id`.execute(db());
  return rows[0]!.id;
}

beforeEach(async () => {
  await sql`DELETE FROM encryption_plaintext_seen`.execute(db());
});

describe('the list of columns holding plaintext', () => {
  it('is kept by triggers on exactly the columns src/encrypted-columns.ts declares', async () => {
    const { rows } = await sql<{ name: string; op: string; definition: string }>`
      SELECT c.relname AS name, CASE WHEN (t.tgtype & 4) <> 0 THEN 'insert' ELSE 'update' END AS op,
        pg_get_triggerdef(t.oid) AS definition
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE p.proname = 'note_plaintext_written' AND c.relnamespace = to_regnamespace(current_schema())::oid
      ORDER BY 1, 2`.execute(db());
    const watched = rows.map((row) => {
      const args = /note_plaintext_written\((.*)\)$/.exec(row.definition)![1]!;
      return `${row.name} ${row.op}: ${[...args.matchAll(/'([^']+)'/g)].map((m) => m[1]).join(', ')}`;
    });
    const declared = encryptedColumns
      .flatMap((spec) => ['insert', 'update'].map((op) => `${spec.table} ${op}: ${spec.columns.join(', ')}`))
      .sort();
    expect(watched).toEqual(declared);
  });

  it('lists a column when plaintext is written to it, and not for ciphertexts or other changes', async () => {
    const id = await legacyUser();
    expect(await listed()).toEqual(['users.email', 'users.name']);
    await sql`DELETE FROM encryption_plaintext_seen`.execute(db());
    // The row still holds plaintext, but only what is written counts.
    await sql`UPDATE users SET name = 'v1:test:opaque' WHERE id = ${id}::uuid`.execute(db());
    await sql`UPDATE users SET email = email, phone = NULL WHERE id = ${id}::uuid`.execute(db());
    expect(await listed()).toEqual([]);
    await sql`UPDATE users SET phone = '+6281234567890' WHERE id = ${id}::uuid`.execute(db());
    await sql`INSERT INTO webhook_endpoints (owner_id, url, event_types, secret)
      VALUES (${id}::uuid, 'http://127.0.0.1:9/x', ARRAY['*']::text[], 'v1:test:opaque')`.execute(db());
    expect(await listed()).toEqual(['users.phone']);
    await sql`DELETE FROM webhook_endpoints WHERE owner_id = ${id}::uuid`.execute(db());
    await sql`DELETE FROM users WHERE id = ${id}::uuid`.execute(db());
  });

  it('leaves the start-up pass nothing to read when it is empty', async () => {
    // Counted as Kysely sends them: the list, and nothing else, on the thread or behind it.
    const statements: string[] = [];
    const counted = db().withPlugin({
      transformQuery: ({ node }) => (statements.push(node.kind), node),
      transformResult: ({ result }) => Promise.resolve(result),
    });
    const start = await encryptLegacyValues(counted, ring, encryptedColumns, silent);
    await start()();
    expect(statements).toHaveLength(1);
  });

  it('is emptied by the start-up pass once it has encrypted what was listed', async () => {
    const email = `Legacy.${randomBytes(5).toString('hex')}@Example.com`;
    const id = await legacyUser({ email });
    expect(await listed()).toEqual(['users.email', 'users.name']);
    const start = await encryptLegacyValues(db(), ring, encryptedColumns, silent);
    // The awaited part filled the blind index.
    const indexed = await sql<{ email_index: string | null }>`
      SELECT email_index FROM users WHERE id = ${id}::uuid`.execute(db());
    expect(indexed.rows[0]!.email_index).toBe(emailIndexOf(ring, email));
    const stop = start();
    try {
      await eventually(listed, (names) => names.length === 0);
    } finally {
      await stop();
    }
    const { rows } = await sql<{ name: string; email: string }>`
      SELECT name, email FROM users WHERE id = ${id}::uuid`.execute(db());
    expect(rows[0]!.name).toMatch(/^v1:/);
    expect(rows[0]!.email).toMatch(/^v1:/);
  });

  it.skipIf(testDatabase() !== 'postgres')(
    'keeps a column listed when plaintext is written to it while the pass looks',
    async () => {
      const [spec] = encryptedColumns.filter((s) => s.table === 'webhook_endpoints');
      const owner = await legacyUser();
      await sql`DELETE FROM encryption_plaintext_seen`.execute(db());
      await sql`INSERT INTO encryption_plaintext_seen (table_name, column_name)
        VALUES ('webhook_endpoints', 'secret')`.execute(db());
      // Another instance, of a version from before encryption, writes a secret as it was.
      const writer = new pg.Client({ connectionString: t.url });
      await writer.connect();
      try {
        await writer.query('BEGIN');
        await writer.query(
          `INSERT INTO webhook_endpoints (owner_id, url, event_types, secret)
           VALUES ($1, 'http://127.0.0.1:9/x', ARRAY['*']::text[], 'whsec_plain')`,
          [owner],
        );
        const forgetting = forgetIfEncrypted(db(), ring, spec!, 'secret');
        await new Promise((resolve) => setTimeout(resolve, 200));
        await writer.query('COMMIT');
        expect(await forgetting).toBe(false);
        expect(await listed()).toEqual(['webhook_endpoints.secret']);
      } finally {
        await writer.end();
      }
    },
  );
});
