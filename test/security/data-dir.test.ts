import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png, productForm } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/services.js';
import { liveSecretsEnv } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** `mamlaka start` under umask 000, as a careless service manager might run it. */
function startUnderUmask000(env: Record<string, string>) {
  const child = spawn('/bin/sh', ['-c', 'umask 000 && exec "$@"', 'sh', process.execPath, ...CLI, 'start'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`server exited:\n${output}`)));
  });
  return { child, url, exited, output: () => output };
}

/** Every path under `root` (itself included) with its permission bits, symlinks not followed. */
function walk(root: string): { path: string; mode: number; kind: string }[] {
  const stats = lstatSync(root);
  const kind = stats.isDirectory() ? 'dir' : stats.isSocket() ? 'socket' : stats.isFile() ? 'file' : 'other';
  const here = { path: root, mode: stats.mode & 0o777, kind };
  if (!stats.isDirectory()) return [here];
  return [here, ...readdirSync(root).flatMap((name) => walk(path.join(root, name)))];
}

const api = async (url: string, init: RequestInit & { json?: unknown; token?: string } = {}) => {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(url, {
    ...init,
    headers,
    body: init.json === undefined ? init.body : JSON.stringify(init.json),
  });
  return { status: res.status, body: (await res.json()) as { results: Record<string, string> } };
};

describe('DATA_DIR is its owner’s alone', () => {
  let root: string;
  let database: TestDatabase | undefined;
  let server: ReturnType<typeof startUnderUmask000> | undefined;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'mamlaka-perms-'));
    if (testDatabase() === 'postgres') database = await createTestDatabase();
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the database, keys, mail, uploads and socket owner-only, even under umask 000', async () => {
    const dataDir = path.join(root, 'fresh', 'data');
    server = startUnderUmask000({
      DATA_DIR: dataDir,
      MAIL_SEND_INTERVAL: '100ms',
      OUTBOX_POLL_INTERVAL: '20ms',
      ...(database ? { DATABASE_URL: database.url! } : {}),
    });
    const url = await server.url;
    const seller = {
      name: 'Perm Seller',
      email: 'perms@example.com',
      role: 'seller',
      password: 'correct horse battery',
      confirm_password: 'correct horse battery',
    };
    expect((await api(`${url}/users/register`, { method: 'POST', json: seller })).status).toBe(201);
    const login = await api(`${url}/users/login`, {
      method: 'POST',
      json: { email: seller.email, password: seller.password },
    });
    const product = await api(`${url}/products`, {
      method: 'POST',
      token: login.body.results.token,
      body: productForm({ name: 'Private', price: '1000', stock: '1' }, { field: 'image', bytes: png(9) }),
    });
    expect(product.status).toBe(201);
    // The welcome mail is written to DATA_DIR/mail when no SMTP server is configured: wait for
    // the .eml itself, not the temporary file it is renamed from.
    const mailDir = path.join(dataDir, 'mail');
    const written = () => existsSync(mailDir) && readdirSync(mailDir).some((name) => name.endsWith('.eml'));
    for (let i = 0; i < 300 && !written(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const entries = walk(dataDir);
    const names = entries.map((entry) => path.relative(dataDir, entry.path));
    expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^mail\/.+\.eml$/)]));
    expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^uploads\/products\/.+\.webp$/)]));
    expect(names).toContain(path.join('keys', 'jwt-ed25519.pem'));
    expect(names).toContain(path.join('keys', 'vapid-p256.json'));
    if (!database)
      expect(names).toEqual(expect.arrayContaining(['control.sock', 'db.lock', 'db/PG_VERSION']));
    const open = entries.filter((entry) => (entry.mode & 0o077) !== 0);
    expect(open.map((entry) => `${entry.mode.toString(8)} ${entry.path}`)).toEqual([]);
    expect(entries.filter((entry) => entry.kind === 'dir').every((entry) => entry.mode === 0o700)).toBe(true);
  }, 180_000);

  it('tightens a DATA_DIR open to others in sandbox mode, with a warning', async () => {
    const dataDir = mkdtempSync(path.join(root, 'loose-'));
    chmodSync(dataDir, 0o777);
    // A lock held by a live process (this one) stops the start right after the check.
    writeFileSync(path.join(dataDir, 'db.lock'), String(process.pid));
    const result = await runCli(['start'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('in use by process');
    expect(result.stdout).toContain('was readable or writable by other users (mode 777); now 700');
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
  }, 60_000);

  it('refuses to start in live mode on a DATA_DIR open to others, in one line', async () => {
    const dataDir = mkdtempSync(path.join(root, 'live-'));
    chmodSync(dataDir, 0o777);
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    const result = await runCli(['start'], {
      MAMLAKA_MODE: 'live',
      JWT_PRIVATE_KEY: key.toString(),
      PUBLIC_URL: 'https://api.example',
      ...liveSecretsEnv(),
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `configuration error: DATA_DIR: ${dataDir} is readable or writable by other users (mode 777); run chmod 700 ${dataDir}`,
    ]);
    // Nothing was opened or created in it.
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o777);
    expect(readdirSync(dataDir)).toEqual([]);
  }, 60_000);
});
