import { execFileSync } from 'node:child_process';
import { status } from '@grpc/grpc-js';
import { randomBytes, randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedColumns } from '../../src/encrypted-columns.js';
import { NotificationsRepository } from '../../src/modules/notifications/notifications.repository.js';
import { hashPassword } from '../../src/modules/users/users.passwords.js';
import { keyUsage } from '../../src/platform/crypto/reencrypt.js';
import { encryptLegacyValues } from '../../src/platform/crypto/rotation.js';
import { eventually } from '../helpers/eventually.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { market } from '../helpers/payments.js';
import { serviceUrl } from '../helpers/services.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** Personal data and secrets reach the database only as ciphertexts (both databases). */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ WEBHOOK_ALLOW_LIST: '127.0.0.1' });
});
afterAll(() => app?.close());

const db = () => app.platform.database.db as Kysely<object>;

/** Every row of every table of the test's schema, as text: a dump that works on both databases. */
async function rowsAsText(): Promise<string> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(db());
  expect(tables.length).toBeGreaterThan(10);
  const parts: string[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(name)} t`.execute(
      db(),
    );
    parts.push(...rows.map((row) => row.row));
  }
  return parts.join('\n');
}

/** pg_dump of the test's schema on the real PostgreSQL (what an operator's backup holds). */
function pgDump(): string | undefined {
  if (!app.db.schema) return undefined;
  return execFileSync('pg_dump', ['--no-owner', '-n', app.db.schema, serviceUrl('TEST_DATABASE_URL')!], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

describe('a database dump', () => {
  it('holds none of a registered name, e-mail, phone, address or webhook secret', async () => {
    const tag = randomBytes(5).toString('hex');
    const name = `Zephyrine Quortleby ${tag}`;
    const email = `zq.${tag}@example.com`;
    const phone = `+62812${parseInt(tag.slice(0, 6), 16).toString().padStart(8, '0').slice(0, 8)}`;
    const line1 = `Jalan Kenanga ${tag}`;
    const user = await signUp(app, { name, email, role: 'seller' });
    const patched = await app.api('PATCH', '/users/me', {
      token: user.token,
      body: {
        phone,
        shipping_address: { line1, city: 'Bandung', postal_code: '40115', country: 'id' },
      },
    });
    expect(patched.status).toBe(200);
    const endpoint = await app.api<{ id: string; secret: string }>('POST', '/webhooks', {
      token: user.token,
      body: { url: 'http://127.0.0.1:9/hooks', event_types: ['*'] },
    });
    expect(endpoint.status).toBe(201);
    const secret = endpoint.body.results.secret;
    // A money-moving request with an Idempotency-Key: its stored response is encrypted too.
    const { buyer, product } = await market(app, { funds: '100000' });
    const idempotencyKey = `dump-${randomBytes(5).toString('hex')}`;
    const paid = await app.api('POST', '/payments', {
      token: buyer.token,
      headers: { 'idempotency-key': idempotencyKey },
      body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
    });
    expect(paid.status).toBe(201);
    const replayed = await app.api('POST', '/payments', {
      token: buyer.token,
      headers: { 'idempotency-key': idempotencyKey },
      body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
    });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(paid.body);

    // The API gives them back: the test would fail if they were simply not stored.
    const me = await app.api('GET', '/users/me', { token: user.token });
    expect(me.body.results).toMatchObject({
      name,
      email,
      phone,
      shipping_address: { line1, city: 'Bandung', postal_code: '40115', country: 'ID' },
    });
    expect(secret).toMatch(/^whsec_/);
    // The welcome mail, addressed and written to the user, is queued by now.
    await eventually(
      async () =>
        (
          await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM mail_messages WHERE user_id = ${user.id}::uuid`.execute(db())
        ).rows[0]!.n,
      (n) => n > 0,
    );

    const dumps = [await rowsAsText(), pgDump()].filter((dump) => dump !== undefined);
    for (const dump of dumps) {
      expect(dump).toContain(user.id);
      expect(dump).toContain(endpoint.body.results.id);
      // Listed, not asserted one by one: a failure names what leaked without printing the dump.
      const leaked = [name, tag, email, phone, line1, secret].filter((plaintext) => dump.includes(plaintext));
      expect(leaked).toEqual([]);
    }
    const { rows } = await sql<{ body: string }>`
      SELECT response_body AS body FROM idempotency_keys WHERE key = ${idempotencyKey}`.execute(db());
    expect(rows[0]!.body).toMatch(/^v1:/);
    // Nothing the platform wrote counts as plaintext (migration 0038), so a start finds
    // nothing to encrypt.
    const seen = await sql`SELECT table_name, column_name FROM encryption_plaintext_seen`.execute(db());
    expect(seen.rows).toEqual([]);
  });

  it('keeps a phone and a shipping address that can be changed and removed', async () => {
    const user = await signUp(app);
    const bad = [
      { phone: '0812 345' },
      { phone: '+0123456789' },
      { shipping_address: { line1: 'x', city: 'y', postal_code: '1', country: 'XX' } },
      { shipping_address: { line1: 'x', city: 'y', country: 'ID' } },
    ];
    for (const body of bad) {
      const res = await app.api('PATCH', '/users/me', { token: user.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const set = await app.api('PATCH', '/users/me', {
      token: user.token,
      body: {
        phone: '+6281234567890',
        shipping_address: {
          line1: ' Jl. Merdeka 1 ',
          line2: 'Blok B',
          city: 'Jakarta',
          region: 'DKI',
          postal_code: '10110',
          country: 'ID',
        },
      },
    });
    expect(set.body.results).toMatchObject({
      phone: '+6281234567890',
      shipping_address: { line1: 'Jl. Merdeka 1', line2: 'Blok B', region: 'DKI', country: 'ID' },
    });
    const cleared = await app.api('PATCH', '/users/me', {
      token: user.token,
      body: { phone: null, shipping_address: null },
    });
    expect(cleared.body.results).toMatchObject({ phone: null, shipping_address: null });
  });
});

describe('queued mail', () => {
  it('is still queued once per (event, kind, recipient), though the address is encrypted', async () => {
    const repo = new NotificationsRepository(db(), app.platform.keyring);
    const mail = {
      event_id: randomUUID(),
      kind: 'welcome',
      category: 'transactional' as const,
      user_id: null,
      to_address: `once.${randomUUID()}@example.com`,
      subject: 'Hello',
      text_body: 'Hello',
      html_body: '<p>Hello</p>',
    };
    const queue = (rows: (typeof mail)[]) =>
      db()
        .transaction()
        .execute((trx) => repo.insertMails(trx, rows));
    expect(await queue([mail])).toBe(1);
    expect(
      await queue([{ ...mail, to_address: ` ${mail.to_address.toUpperCase()}`, subject: 'Again' }]),
    ).toBe(0);
    expect(await queue([{ ...mail, kind: 'receipt' }])).toBe(1);
    const { rows } = await sql<{ to_address: string }>`
      SELECT to_address FROM mail_messages WHERE event_id = ${mail.event_id}::uuid`.execute(db());
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.to_address.startsWith('v1:'))).toBe(true);
  });
});

describe('the phone and shipping address over gRPC', () => {
  it('are set, read and removed as over REST', async () => {
    const user = await signUp(app);
    const clients = grpcClients(app.grpcAddress);
    try {
      const address = { line1: 'Jl. Asia Afrika 8', city: 'Bandung', postal_code: '40111', country: 'ID' };
      const set = await call<Record<string, unknown>>(
        clients.users,
        'UpdateMe',
        { phone: '+6281298765432', shipping_address: address },
        { token: user.token },
      );
      expect(set.error).toBeUndefined();
      expect(set.response).toMatchObject({ phone: '+6281298765432', shipping_address: address });
      const rest = await app.api('GET', '/users/me', { token: user.token });
      expect(rest.body.results).toMatchObject({ phone: '+6281298765432', shipping_address: address });
      const removed = await call<Record<string, unknown>>(
        clients.users,
        'UpdateMe',
        { phone: '', remove_shipping_address: true },
        { token: user.token },
      );
      expect(removed.error).toBeUndefined();
      const after = await app.api('GET', '/users/me', { token: user.token });
      expect(after.body.results).toMatchObject({ phone: null, shipping_address: null });
      const bad = await call(clients.users, 'UpdateMe', { phone: '12345' }, { token: user.token });
      expect(bad.error?.code).toBe(status.INVALID_ARGUMENT);
    } finally {
      clients.close();
    }
  });
});

describe('a database from before encryption at rest', () => {
  it('is readable at once and encrypted by the start-up pass, e-mail lookups included', async () => {
    const tag = randomBytes(5).toString('hex');
    const email = `legacy.${tag}@example.com`;
    const password = 'correct horse battery';
    // As the rows were before migration 0019: plaintext, no blind index.
    const { rows } = await sql<{ id: string }>`
      INSERT INTO users (name, email, role, password_hash)
      VALUES (${`Legacy ${tag}`}, ${email}, 'seller', ${await hashPassword(password)})
      RETURNING id`.execute(db());
    const id = rows[0]!.id;
    await sql`INSERT INTO webhook_endpoints (owner_id, url, event_types, secret)
      VALUES (${id}::uuid, 'http://127.0.0.1:9/x', ARRAY['*']::text[], ${`whsec_legacy${tag}`})`.execute(
      db(),
    );
    expect((await app.api('POST', '/users/login', { body: { email, password } })).status).toBe(401);

    const startEncrypting = await encryptLegacyValues(
      db(),
      app.platform.keyring,
      encryptedColumns,
      pino({ level: 'silent' }),
    );
    // The awaited part filled the blind index: the address logs in before the rest starts.
    const login = await app.api<{ token: string }>('POST', '/users/login', {
      body: { email: email.toUpperCase(), password },
    });
    expect(login.status).toBe(200);
    const stop = startEncrypting();
    try {
      const me = await app.api('GET', '/users/me', { token: login.body.results.token });
      expect(me.body.results).toMatchObject({ id, name: `Legacy ${tag}`, email });
      await eventually(
        () => keyUsage(db(), encryptedColumns),
        (usage) => usage.every((row) => row.keyId !== 'plaintext'),
      );
      expect((await rowsAsText()).includes(tag)).toBe(false);
      const again = await app.api('GET', '/users/me', { token: login.body.results.token });
      expect(again.body.results).toMatchObject({ name: `Legacy ${tag}`, email });
    } finally {
      await stop();
    }
  });

  it('refuses a second account for a legacy address once its index is filled', async () => {
    const tag = randomBytes(5).toString('hex');
    const email = `legacy2.${tag}@example.com`;
    await sql`INSERT INTO users (name, email, role, password_hash)
      VALUES ('Old', ${email}, 'buyer', ${await hashPassword('correct horse battery')})`.execute(db());
    // The awaited part alone: the rest is not started.
    await encryptLegacyValues(db(), app.platform.keyring, encryptedColumns, pino({ level: 'silent' }));
    const again = await app.api('POST', '/users/register', {
      body: {
        name: 'New',
        email,
        role: 'buyer',
        password: 'correct horse battery',
        confirm_password: 'correct horse battery',
      },
    });
    expect([again.status, again.body.meta.code]).toEqual([409, 'email_taken']);
  });
});
