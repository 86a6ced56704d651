import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { newUser, signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

// The REST side of the rule is in users.passwords.test.ts; these are its other two doors.
describe('common passwords over gRPC', () => {
  let app: TestApp;
  let clients: ReturnType<typeof grpcClients>;
  beforeAll(async () => {
    app = await startTestApp();
    clients = grpcClients(app.grpcAddress);
  });
  afterAll(async () => {
    clients?.close();
    await app?.close();
  });

  it('are refused over gRPC, by RegisterUser and UpdateMe', async () => {
    const registered = await call(clients.users, 'RegisterUser', newUser({ password: 'football1' }));
    expect(registered.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(registered.reason).toBe('password_too_common');
    expect(registered.fields).toEqual([{ field: 'password', reason: 'password_too_common' }]);

    const u = await signUp(app);
    const updated = await call(
      clients.users,
      'UpdateMe',
      { password: 'sunshine', confirm_password: 'sunshine', current_password: u.password },
      { token: u.token },
    );
    expect(updated.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(updated.reason).toBe('password_too_common');
  });
});

describe('mamlaka users create-admin', () => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-cli-'));
    database = testDatabase() === 'postgres' ? await createTestDatabase() : undefined;
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // One run only: each starts a process and opens (and on PGlite migrates) a database.
  it('refuses a common password', async () => {
    const env = {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...(database ? { DATABASE_URL: database.url! } : {}),
    };
    const created = await runCli(
      ['users', 'create-admin', '--email', 'ops@example.com', '--password-stdin'],
      env,
      'administrator\n',
    );
    expect(created.code).toBe(1);
    expect(created.stderr).toContain('password is one of the most common passwords');
  }, 180_000);
});
