import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emailIndexOf } from '../../src/modules/users/users.encryption.js';
import { loadKeyRing } from '../../src/platform/crypto/keyring.load.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Every CLI run is a new Node process that compiles the sources (tsx) before it works; a
// test making three of them on a busy 2-core machine needs more than the default 30 s.
vi.setConfig({ testTimeout: 90_000 });

/** The sandbox key ring a CLI run generated under `dataDir`. */
const ringIn = (dataDir: string) =>
  loadKeyRing({ keys: undefined, keysFile: undefined, blindIndexKey: undefined }, dataDir);

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { results: Record<string, string> } };
};

describe.runIf(testDatabase() === 'pglite')('the CLI on the embedded database', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-cli-'));
    server = await startServerProcess({ DATA_DIR: dataDir });
  }, 90_000);
  afterAll(() => {
    server?.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates and creates an admin through the running server', async () => {
    const migrated = await runCli(['migrate'], { DATA_DIR: dataDir });
    expect(migrated.stderr).toBe('');
    expect(migrated.stdout).toContain('database is up to date');

    const created = await runCli(
      ['users', 'create-admin', '--email', 'Ops@Example.com', '--password-stdin'],
      { DATA_DIR: dataDir },
      'operator secret 1\n',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('through the running server');

    const login = await post(`${server!.url}/users/login`, {
      email: 'ops@example.com',
      password: 'operator secret 1',
    });
    expect(login.status).toBe(200);
    expect(login.body.results.role).toBe('admin');

    const again = await runCli(
      ['users', 'create-admin', '--email', 'ops@example.com', '--password', 'operator secret 1'],
      { DATA_DIR: dataDir },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('email already exists');
  });

  it('seeds the demo catalog of two sellers through the running server, once', async () => {
    const seeded = await runCli(['seed', 'demo'], { DATA_DIR: dataDir });
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toContain('through the running server: 32 products');
    expect(seeded.stdout).toContain('  seller: seller@demo.mamlaka.dev / demo seller password (Toko Demo)');
    expect(seeded.stdout).toContain(
      '  seller: seller2@demo.mamlaka.dev / demo seller two password (Kriya Nusantara)',
    );
    expect(seeded.stdout).toContain('  buyer:  buyer@demo.mamlaka.dev / demo buyer password');
    const page = (await (await fetch(`${server!.url}/products?limit=100`)).json()) as {
      results: { image_url: string; price: string; variants: { sku: string }[] }[];
    };
    expect(page.results).toHaveLength(32);
    // One of them is sold in sizes, so the storefront shows a product with variants.
    const sized = page.results.find((product) => product.variants.length > 0);
    expect(sized?.variants.map((variant) => variant.sku)).toEqual([
      'DEMO-BATIK-PARANG-S',
      'DEMO-BATIK-PARANG-M',
      'DEMO-BATIK-PARANG-L',
    ]);
    const image = await fetch(`${server!.url}${new URL(page.results[0]!.image_url).pathname}`);
    expect(image.headers.get('content-type')).toBe('image/webp');

    // Each seller has several products in stock, so one order can hold products of both.
    const inStock: string[] = [];
    for (const [email, password] of [
      ['seller@demo.mamlaka.dev', 'demo seller password'],
      ['seller2@demo.mamlaka.dev', 'demo seller two password'],
    ] as const) {
      const login = await post(`${server!.url}/users/login`, { email, password });
      expect(login.body.results.role).toBe('seller');
      const own = (await (
        await fetch(`${server!.url}/products?limit=100&in_stock=true&seller_id=${login.body.results.id}`)
      ).json()) as { results: { id: string }[] };
      expect(own.results.length).toBeGreaterThanOrEqual(5);
      inStock.push(own.results[0]!.id);
    }
    const buyer = await post(`${server!.url}/users/login`, {
      email: 'buyer@demo.mamlaka.dev',
      password: 'demo buyer password',
    });
    const order = await fetch(`${server!.url}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${buyer.body.results.token}`,
        'idempotency-key': 'demo-two-sellers',
      },
      body: JSON.stringify({
        items: inStock.map((product_id) => ({ product_id, quantity: 1 })),
        payment_method: 'manual',
      }),
    });
    expect(order.status).toBe(201);
    const { results } = (await order.json()) as { results: { items: { seller_id: string }[] } };
    expect(new Set(results.items.map((item) => item.seller_id)).size).toBe(2);

    const again = await runCli(['seed', 'demo'], { DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already there');
  });

  it('checks the ledger through the running server', async () => {
    const checked = await runCli(['ledger', 'check'], { DATA_DIR: dataDir });
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/^ledger ok: \d+ accounts/);
  });

  it('passes --max-violations and --skip-gateway to the running server, and refuses a bad limit', async () => {
    const bounded = await runCli(['ledger', 'check', '--max-violations', '3', '--skip-gateway'], {
      DATA_DIR: dataDir,
    });
    expect(bounded.stderr).toBe('');
    expect(bounded.code).toBe(0);
    expect(bounded.stdout).toMatch(/^ledger ok: .*\d+ payments, \d+ refunds, 0 gateway_compared/);
    const refused = await runCli(['ledger', 'check', '--max-violations', 'many'], { DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--max-violations');
  }, 60_000);

  it('refuses a second server on the same data directory', async () => {
    const second = await runCli(['start'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('in use by process');
  });

  it('names the bad variable when configuration is invalid', async () => {
    const bad = await runCli(['migrate'], { DATA_DIR: dataDir, PORT: 'eighty' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('PORT');
  });

  it('finishes in-flight requests on SIGTERM, closes the database and then works without the server', async () => {
    const inFlight = Array.from({ length: 8 }, (_, i) =>
      post(`${server!.url}/users/register`, {
        name: `Late ${i}`,
        email: `late${i}@example.com`,
        role: 'buyer',
        password: 'correct horse battery',
        confirm_password: 'correct horse battery',
      }),
    );
    // Signal only once the server has taken every request in (under load they may still be queued).
    const arrived = () =>
      (server!.output().match(/"url":"\/users\/register"[^\n]*"msg":"incoming request"/g) ?? []).length;
    for (let i = 0; i < 200 && arrived() < 8; i++) await new Promise((r) => setTimeout(r, 10));
    server!.child.kill('SIGTERM');
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(await server!.exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'db.lock'))).toBe(false);
    server = undefined;

    const created = await runCli(
      ['users', 'create-admin', '--email', 'direct@example.com', '--password', 'operator secret 2'],
      { DATA_DIR: dataDir },
    );
    expect(created.code).toBe(0);
    expect(created.stdout).not.toContain('through the running server');
  });
});

describe.runIf(testDatabase() === 'postgres')('the CLI on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('migrates and creates an admin directly', async () => {
    const env = { DATABASE_URL: t.url!, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'mamlaka-cli-')) };
    expect((await runCli(['migrate'], env)).stdout).toContain('database is up to date');
    const created = await runCli(
      ['users', 'create-admin', '--email', 'pg-admin@example.com', '--password', 'operator secret 3'],
      env,
    );
    expect(created.code).toBe(0);
    expect((await runCli(['ledger', 'check'], env)).code).toBe(0);
    // A balance that no entry explains: the check must name it and fail.
    await sql`INSERT INTO ledger_accounts (kind, currency, no_overdraft, posted_credits) VALUES ('platform_fees', 'KES', false, 5)`.execute(
      t.database.db,
    );
    const broken = await runCli(['ledger', 'check'], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('ledger check failed');
    // Accounts are permanent: the balance is put right instead.
    await sql`UPDATE ledger_accounts SET posted_credits = 0 WHERE currency = 'KES'`.execute(t.database.db);
    const seeded = await runCli(['seed', 'demo'], env);
    expect(seeded.stdout).toContain('32 products');
    const row = await t.database.db
      .selectFrom('users' as never)
      .select('role' as never)
      // E-mails are stored encrypted: found through the blind index, with the ring the CLI made.
      .where('email_index' as never, '=', emailIndexOf(ringIn(env.DATA_DIR), 'pg-admin@example.com') as never)
      .executeTakeFirst();
    expect(row).toEqual({ role: 'admin' });
  });

  it('lists at most --max-violations and counts them all', async () => {
    // A database of its own, so the other test's rows cannot change the count.
    const own = await createTestDatabase();
    try {
      const env = { DATABASE_URL: own.url!, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'mamlaka-cli-')) };
      // Two balances that no entry explains: two violations, one listed.
      await sql`INSERT INTO ledger_accounts (kind, currency, no_overdraft, posted_credits)
        VALUES ('platform_fees', 'TZS', false, 7), ('platform_fees', 'UGX', false, 9)`.execute(
        own.database.db,
      );
      const bounded = await runCli(['ledger', 'check', '--max-violations', '1', '--skip-gateway'], env);
      expect(bounded.code).toBe(1);
      expect(bounded.stderr).toContain('ledger check failed (2 violations, the first 1 listed;');
      expect(bounded.stderr.match(/^ {2}- /gm)).toHaveLength(1);
    } finally {
      await own.drop();
    }
  }, 60_000);
});
