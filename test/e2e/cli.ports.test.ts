import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let occupier: Server;
let taken: number;
let dataDir: string;
let db: TestDatabase | undefined;

beforeAll(async () => {
  occupier = createServer();
  await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
  taken = (occupier.address() as { port: number }).port;
  dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-ports-'));
  if (testDatabase() === 'postgres') db = await createTestDatabase();
});
afterAll(async () => {
  occupier?.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `mamlaka start` on the embedded database or this run's PostgreSQL, with `env` on top. */
const start = (env: Record<string, string>) =>
  runCli(['start'], {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    GRPC_HOST: '127.0.0.1',
    PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'info',
    ...(db?.url ? { DATABASE_URL: db.url } : {}),
    ...env,
  });

describe('mamlaka start on a port already in use', () => {
  it('exits 1 with one line naming PORT and the port, and no stack trace', async () => {
    const result = await start({ PORT: String(taken) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`PORT ${taken} is already in use`]);
    expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('exits 1 with one line naming GRPC_PORT and the port, and no stack trace', async () => {
    const result = await start({ GRPC_PORT: String(taken) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`GRPC_PORT ${taken} is already in use`]);
    expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});
