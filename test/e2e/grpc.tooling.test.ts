import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/services.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

const run = promisify(execFile);
const BUF = 'node_modules/.bin/buf';
const HEALTH_PROTO = 'node_modules/grpc-health-check/proto';

/** `buf curl` (grpcurl's stand-in here) speaking the gRPC protocol, with no .proto files given. */
async function bufCurl(app: TestApp, method: string, body: object, token?: string, schema?: string) {
  const args = ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--data', JSON.stringify(body)];
  if (schema) args.push('--schema', schema);
  if (token) args.push('--header', `authorization: Bearer ${token}`);
  args.push(`http://${app.grpcAddress}/${method}`);
  const { stdout } = await run(BUF, args, { timeout: 20_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

// Tooling, not data: once is enough.
describe.runIf(testDatabase() === 'pglite')('gRPC tooling', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers grpc.health.v1 health checks, for the server and each service', async () => {
    // The standard health protocol from its published .proto, as Kubernetes' gRPC probe speaks it.
    const check = (service?: string) =>
      bufCurl(app, 'grpc.health.v1.Health/Check', service ? { service } : {}, undefined, HEALTH_PROTO);
    expect(await check()).toEqual({ status: 'SERVING' });
    expect(await check('mamlaka.catalog.v1.CatalogService')).toEqual({ status: 'SERVING' });
    expect(await check('mamlaka.payments.v1.PaymentService')).toEqual({ status: 'SERVING' });
  });

  it('describes itself by server reflection, so a client needs no .proto files', async () => {
    const user = await signUp(app);
    const answer = await bufCurl(app, 'mamlaka.users.v1.UserService/GetMe', {}, user.token);
    expect(answer).toMatchObject({ id: user.id, email: user.email, role: 'buyer' });
    const { stdout } = await run(
      BUF,
      [
        'curl',
        '--protocol',
        'grpc',
        '--http2-prior-knowledge',
        '--list-methods',
        `http://${app.grpcAddress}`,
      ],
      { timeout: 20_000 },
    );
    expect(stdout).toContain('mamlaka.payments.v1.PaymentService/CreatePayment');
    expect(stdout).toContain('mamlaka.catalog.v1.CatalogService/ListProducts');
    expect(stdout).toContain('grpc.health.v1.Health/Check');
  });

  it('describes grpc.health.v1 by reflection too, so a health check needs no --schema', async () => {
    const check = (service: string) => bufCurl(app, 'grpc.health.v1.Health/Check', { service });
    expect(await check('')).toEqual({ status: 'SERVING' });
    expect(await check('mamlaka.users.v1.UserService')).toEqual({ status: 'SERVING' });
  });
});
