import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDatabase } from '../../src/platform/db/postgres-database.js';
import {
  type MigrationFile,
  migrate,
  pendingMigrations,
  readMigrations,
} from '../../src/platform/db/migrations.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const file = (version: string, body: string): MigrationFile => ({
  version,
  name: `${version}_test_${randomBytes(3).toString('hex')}`,
  sql: body,
  checksum: randomBytes(32).toString('hex'),
});

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

/** Which module owns each table: the schema's side of "a module owns its tables". */
const OWNER: Record<string, string> = {
  users: 'users',
  refresh_tokens: 'users',
  user_identities: 'users',
  oidc_logins: 'users',
  oidc_sign_in_codes: 'users',
  user_tokens: 'users',
  user_totp: 'users',
  user_recovery_codes: 'users',
  oauth_clients: 'oauth',
  consents: 'privacy',
  audit_log: 'audit',
  products: 'catalog',
  categories: 'catalog',
  product_categories: 'catalog',
  collections: 'catalog',
  collection_products: 'catalog',
  product_images: 'catalog',
  product_variants: 'catalog',
  carts: 'carts',
  cart_lines: 'carts',
  payout_destinations: 'payouts',
  payout_schedules: 'payouts',
  iris_payouts: 'payouts',
  addresses: 'addresses',
  shipping_options: 'shipping',
  tax_rates: 'taxes',
  discounts: 'discounts',
  discount_redemptions: 'discounts',
  ledger_accounts: 'ledger',
  ledger_account_shards: 'ledger',
  ledger_transactions: 'ledger',
  ledger_entries: 'ledger',
  orders: 'payments',
  order_items: 'payments',
  order_shipments: 'payments',
  order_tax_lines: 'payments',
  payments: 'payments',
  refunds: 'payments',
  midtrans_notifications: 'midtrans',
  webhook_endpoints: 'webhooks',
  webhook_deliveries: 'webhooks',
  webhook_attempts: 'webhooks',
  wallet_top_ups: 'wallets',
  mail_messages: 'notifications',
  mail_attempts: 'notifications',
  mail_preferences: 'notifications',
  push_subscriptions: 'push',
  push_deliveries: 'push',
};

describe('migrations', () => {
  it('keep every foreign key inside one module, so each module can take its tables elsewhere', async () => {
    const { rows } = await sql<{ from: string; to: string; name: string }>`
      SELECT f.relname AS from, r.relname AS to, c.conname AS name
      FROM pg_constraint c
      JOIN pg_class f ON f.oid = c.conrelid
      JOIN pg_class r ON r.oid = c.confrelid
      WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`.execute(t.database.db);
    expect(rows.length).toBeGreaterThan(0);
    // A table missing from OWNER counts as a module of its own: any key to or from it crosses.
    const crossing = rows.filter((key) => (OWNER[key.from] ?? key.from) !== (OWNER[key.to] ?? key.to));
    expect(crossing.map((key) => key.name)).toEqual([]);
  });

  it('are all applied, and applying them again does nothing', async () => {
    expect(await pendingMigrations(t.database)).toEqual([]);
    expect(await migrate(t.database)).toEqual([]);
  });

  it('apply a new file once, in order, and report it until then', async () => {
    const extra = [
      ...readMigrations(),
      file('9001', 'CREATE TABLE m_one (id int PRIMARY KEY); CREATE TABLE m_two (id int);'),
    ];
    expect(await pendingMigrations(t.database, extra)).toEqual([extra.at(-1)!.name]);
    expect(await migrate(t.database, extra)).toEqual([extra.at(-1)!.name]);
    expect(await migrate(t.database, extra)).toEqual([]);
    await sql`INSERT INTO m_two VALUES (1)`.execute(t.database.db);
  });

  it('roll back a failing migration whole, leaving nothing half-applied', async () => {
    const broken = [
      ...readMigrations(),
      file('9101', 'CREATE TABLE m_half (id int); SELECT * FROM no_such_table;'),
    ];
    await expect(migrate(t.database, broken)).rejects.toThrow();
    expect(await pendingMigrations(t.database, broken)).toEqual([broken.at(-1)!.name]);
    const exists = await sql<{
      present: boolean;
    }>`SELECT to_regclass('m_half') IS NOT NULL AS present`.execute(t.database.db);
    expect(exists.rows[0]!.present).toBe(false);
  });

  it('refuse to run when an applied migration was edited', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
    await expect(migrate(t.database, edited)).rejects.toThrow(/was changed after it was applied/);
  });
});

describe.runIf(testDatabase() === 'postgres')('migrations from two processes at once', () => {
  it('apply each migration exactly once', async () => {
    const url = serviceUrl('TEST_DATABASE_URL')!;
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const one = postgresDatabase(url, { searchPath: schema });
    const two = postgresDatabase(url, { searchPath: schema });
    try {
      const [a, b] = await Promise.all([migrate(one), migrate(two)]);
      expect([...a, ...b].sort()).toEqual(readMigrations().map((m) => m.name));
      const rows = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`);
      expect(rows.rows[0].n).toBe(readMigrations().length);
    } finally {
      await one.close();
      await two.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});
