import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rotateWith } from '../../src/cli/keys.js';
import { encryptedColumns } from '../../src/encrypted-columns.js';
import { WebhooksRepository } from '../../src/modules/webhooks/webhooks.repository.js';
import { loadKeyRing } from '../../src/platform/crypto/keyring.load.js';
import { fieldContext, keyUsage } from '../../src/platform/crypto/reencrypt.js';
import { market } from '../helpers/payments.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { testDatabase } from '../helpers/services.js';
import { apiAt, signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** `mamlaka keys rotate`: a new key, every stored value re-encrypted under it, nothing lost. */

// CLI runs are new Node processes compiling the sources (tsx) on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ WEBHOOK_ALLOW_LIST: '127.0.0.1' });
});
afterAll(() => app?.close());

const db = () => app.platform.database.db as Kysely<object>;

/** Opens every stored value of every encrypted column with a ring read afresh from its source. */
async function openEverything(): Promise<number> {
  const ring = loadKeyRing(app.config.encryption, app.config.dataDir);
  let opened = 0;
  for (const spec of encryptedColumns) {
    for (const column of spec.columns) {
      const keys = spec.key.map((name, i) => sql`${sql.ref(name)}::text AS ${sql.id(`k${i}`)}`);
      const { rows } = await sql<Record<string, string>>`
        SELECT ${sql.join(keys)}, ${sql.ref(column)} AS value FROM ${sql.table(spec.table)}
        WHERE ${sql.ref(column)} IS NOT NULL`.execute(db());
      for (const row of rows) {
        const key = spec.key.map((_, i) => row[`k${i}`]!);
        ring.decrypt(row.value!, fieldContext(spec.table, column, key));
        opened += 1;
      }
    }
  }
  return opened;
}

const under = async (keyId: string) => {
  const usage = await keyUsage(db(), encryptedColumns);
  return {
    all: usage.reduce((n, row) => n + row.rows, 0),
    other: usage.filter((row) => row.keyId !== keyId),
  };
};

describe('rotating the key ring', () => {
  it('re-encrypts every value under a new key and leaves 100% of them readable', async () => {
    const people = [];
    for (let i = 0; i < 12; i += 1) {
      const person = await signUp(app, { name: `Rotated ${i}`, role: 'seller' });
      await app.api('PATCH', '/users/me', { token: person.token, body: { phone: `+6281200000${10 + i}` } });
      people.push(person);
    }
    const endpoint = await app.api<{ id: string; secret: string }>('POST', '/webhooks', {
      token: people[0]!.token,
      body: { url: 'http://127.0.0.1:9/hooks', event_types: ['*'] },
    });
    // A stored idempotent response: a row keyed by two columns (scope, key).
    const { buyer, product } = await market(app, { funds: '100000' });
    const pay = () =>
      app.api('POST', '/payments', {
        token: buyer.token,
        headers: { 'idempotency-key': 'rotation-1' },
        body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
      });
    const paid = await pay();
    expect(paid.status).toBe(201);
    const oldKey = app.platform.keyring.activeKeyId;
    const before = await under(oldKey);
    expect(before.all).toBeGreaterThan(0);
    expect(before.other).toEqual([]);
    expect(before.all).toBeGreaterThan(12 * 3);

    const report = await rotateWith(
      app.config,
      app.platform.database,
      app.platform.keyring,
    )({ batchSize: 5 });
    expect(report.addedKeyId).toBeDefined();
    expect(report.addedKeyId).not.toBe(oldKey);
    expect(report.activeKeyId).toBe(report.addedKeyId);
    const users = report.reencrypted.filter((count) => count.table === 'users');
    expect(users.reduce((n, count) => n + count.rows, 0)).toBeGreaterThanOrEqual(12 * 3);

    const after = await under(report.activeKeyId);
    expect(after.other).toEqual([]);
    expect(after.all).toBeGreaterThanOrEqual(before.all);
    expect(await openEverything()).toBe(after.all);
    for (const [i, person] of people.entries()) {
      const me = await app.api('GET', '/users/me', { token: person.token });
      expect(me.body.results).toMatchObject({
        name: `Rotated ${i}`,
        email: person.email,
        phone: `+6281200000${10 + i}`,
      });
      const login = await app.api('POST', '/users/login', {
        body: { email: person.email, password: person.password },
      });
      expect(login.status).toBe(200);
    }
    const replayed = await pay();
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(paid.body);
    const stored = await new WebhooksRepository(db(), app.platform.keyring).findEndpoint(
      endpoint.body.results.id,
    );
    expect(stored?.secret).toBe(endpoint.body.results.secret);
  });

  it('never overwrites a write made while it runs with the value it read', async () => {
    const people = [];
    for (let i = 0; i < 6; i += 1) people.push(await signUp(app));
    const rounds = 5;
    const writes = (async () => {
      for (let round = 0; round < rounds; round += 1)
        await Promise.all(
          people.map((person, i) =>
            app.api('PATCH', '/users/me', { token: person.token, body: { name: `Writer ${i}.${round}` } }),
          ),
        );
    })();
    const rotation = rotateWith(app.config, app.platform.database, app.platform.keyring)({ batchSize: 1 });
    const [report] = await Promise.all([rotation, writes]);
    for (const [i, person] of people.entries()) {
      const me = await app.api('GET', '/users/me', { token: person.token });
      expect(me.body.results.name).toBe(`Writer ${i}.${rounds - 1}`);
    }
    // The server took the new key at once, so what it wrote meanwhile is under it too.
    expect((await under(report.activeKeyId)).other).toEqual([]);
    await openEverything();
  });
});

describe('rotating keys configured in ENCRYPTION_KEYS_FILE', () => {
  it('re-encrypts under the key put first in the file, which running servers then learn', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mamlaka-ring-'));
    const keysFile = path.join(dir, 'keys');
    const key = () => randomBytes(32).toString('base64');
    const oldKey = `old:${key()}`;
    writeFileSync(keysFile, `${oldKey}\n`);
    const server = await startTestApp({
      ENCRYPTION_KEYS_FILE: keysFile,
      BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    });
    try {
      const person = await signUp(server, { name: 'File Ring' });
      expect(server.platform.keyring.activeKeyId).toBe('old');
      // The operator puts the new key first; the CLI (another process) reads the file afresh.
      writeFileSync(keysFile, `new:${key()}\n${oldKey}\n`);
      const cliRing = loadKeyRing(server.config.encryption, server.config.dataDir);
      const report = await rotateWith(server.config, server.platform.database, cliRing)({ batchSize: 4 });
      expect(report.addedKeyId).toBeUndefined();
      expect(report.activeKeyId).toBe('new');
      const { rows } = await sql<{ name: string }>`SELECT name FROM users`.execute(
        server.platform.database.db as Kysely<object>,
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.name.startsWith('v1:new:'))).toBe(true);
      // The running server met a key id it did not know, read the file again, and goes on.
      const me = await server.api('GET', '/users/me', { token: person.token });
      expect(me.body.results).toMatchObject({ name: 'File Ring', email: person.email });
      expect(server.platform.keyring.activeKeyId).toBe('new');
      const login = await server.api('POST', '/users/login', {
        body: { email: person.email, password: person.password },
      });
      expect(login.status).toBe(200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(testDatabase() === 'postgres')('mamlaka keys rotate on PostgreSQL', () => {
  it('rotates directly while a server runs, which then reads under the new key', async () => {
    const person = await signUp(app, { name: 'Cli Rotated' });
    const env = { DATABASE_URL: app.db.url!, DATA_DIR: app.config.dataDir, LOG_LEVEL: 'silent' };
    const rotated = await runCli(['keys', 'rotate', '--batch', '3'], env);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const added = /added key (\S+)/.exec(rotated.stdout)?.[1];
    expect(added).toBeDefined();
    expect(rotated.stdout).toMatch(/users: \d+ values/);
    // The running server learns the new key from the first ciphertext that names it.
    const me = await app.api('GET', '/users/me', { token: person.token });
    expect(me.body.results).toMatchObject({ name: 'Cli Rotated', email: person.email });
    const status = await runCli(['keys', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`active key: ${added}`);
    expect(status.stdout.match(/ under (\S+)/g)?.every((line) => line === ` under ${added}`)).toBe(true);
    expect((await under(added!)).other).toEqual([]);
  });
});

describe.runIf(testDatabase() === 'pglite')('mamlaka keys rotate on the embedded database', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-keys-'));
    server = await startServerProcess({ DATA_DIR: dataDir });
  }, 120_000);
  afterAll(() => {
    server?.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rotates through the running server, which keeps serving every account', async () => {
    const api = apiAt(server!.url);
    const body = {
      name: 'Embedded Rotated',
      email: `embedded.${Date.now()}@example.com`,
      role: 'buyer',
      password: 'correct horse battery',
      confirm_password: 'correct horse battery',
    };
    expect((await api('POST', '/users/register', { body })).status).toBe(201);
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    const rotated = await runCli(['keys', 'rotate', '--batch', '2'], env);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('through the running server');
    const added = /added key (\S+)/.exec(rotated.stdout)?.[1];
    expect(added).toBeDefined();
    expect(rotated.stdout).toMatch(/users: [1-9]\d* values/);
    const login = await api<{ token: string }>('POST', '/users/login', {
      body: { email: body.email, password: body.password },
    });
    expect(login.status).toBe(200);
    const me = await api('GET', '/users/me', { token: login.body.results.token });
    expect(me.body.results).toMatchObject({ name: 'Embedded Rotated', email: body.email });
    const status = await runCli(['keys', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`active key: ${added}`);
    expect(status.stdout).toMatch(new RegExp(`users\\.name: \\d+ under ${added}`));
    expect(status.stdout).not.toContain('plaintext');
    expect(status.stdout.match(/ under (\S+)/g)?.every((line) => line === ` under ${added}`)).toBe(true);
  });
});
