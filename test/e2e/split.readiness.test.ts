import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningServer, startServer } from '../../src/main.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { eventually } from '../helpers/eventually.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * A TCP relay to PostgreSQL that can be cut and restored, so that a test sees the database
 * go away and come back without stopping the one every suite shares. It keeps listening
 * while cut (refusing by closing at once): a port given up could be taken meanwhile.
 */
async function databaseRelay(target: URL) {
  const sockets = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    client.on('error', () => {});
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    upstream.on('error', () => {});
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The gRPC-only roles serve /health and /ready on PORT too: Kubernetes' readiness probe of
 * those pods is /ready, so it must follow the database, not only the gRPC listener.
 */
describe.runIf(testDatabase() === 'postgres')('readiness of the gRPC-only roles', () => {
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof databaseRelay>>;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-ready-'));

  beforeAll(async () => {
    database = await createTestDatabase();
    relay = await databaseRelay(new URL(database.url!));
  });
  afterAll(async () => {
    relay?.cut();
    await relay?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const role of ['users', 'catalog', 'payments'] as const) {
    it(`${role}: /ready follows the database`, async () => {
      const url = new URL(database.url!);
      url.hostname = '127.0.0.1';
      url.port = String(relay.port);
      const config = loadConfig({
        DATA_DIR: dataDir,
        DATABASE_URL: url.toString(),
        PUBLIC_URL: 'http://127.0.0.1',
        PORT: '0',
        GRPC_PORT: '0',
        METRICS_PORT: '0',
        LOG_LEVEL: 'silent',
      });
      let server: RunningServer | undefined;
      try {
        server = await startServer(config, createLogger(config), role);
        const ready = async () => {
          const response = await fetch(`${server!.url}/ready`);
          return {
            status: response.status,
            body: (await response.json()) as { checks: { database: string } },
          };
        };
        expect(await ready()).toMatchObject({ status: 200, body: { checks: { database: 'ok' } } });

        relay.cut();
        const down = await eventually(ready, (answer) => answer.status === 503, 10_000, 100);
        expect(down.body).toEqual({
          status: 'not_ready',
          checks: { database: 'unreachable', migrations: 'unknown' },
        });
        // Liveness stays up: a restart would not bring the database back.
        expect((await fetch(`${server.url}/health`)).status).toBe(200);

        relay.restore();
        await eventually(ready, (answer) => answer.status === 200, 15_000, 100);
      } finally {
        relay.restore();
        await server?.stop();
      }
    }, 60_000);
  }
});
