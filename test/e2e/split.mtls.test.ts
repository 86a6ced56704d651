import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SplitDeployment, startSplitDeployment } from '../../scripts/split-deployment.js';
import { createPlatform, type Platform } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { call } from '../helpers/grpc.js';
import { deleteStream } from '../helpers/nats.js';
import { serviceUrl, testDatabase } from '../helpers/services.js';
import { apiAt, newUser } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testCertificates, usersClient } from '../helpers/tls.js';

/**
 * The split shape with GRPC_TLS_CA: the services accept only gateways holding a certificate
 * the CA signed, and a gateway trusts only services whose certificate it signed.
 */
const { ours, foreign } = testCertificates();

async function registerAndSell(api: ReturnType<typeof apiAt>) {
  const seller = newUser({ role: 'seller' });
  const registered = await api('POST', '/users/register', { body: seller });
  const login = await api<{ token: string }>('POST', '/users/login', {
    body: { email: seller.email, password: seller.password },
  });
  const product = await api<{ id: string }>('POST', '/products', {
    token: login.body.results?.token,
    body: { name: 'Kopi Toraja', price: '85000', stock: 3 },
  });
  return { registered, login, product };
}

describe('the split shape over mutual TLS, in one process', () => {
  let db: TestDatabase;
  let dataDir: string;
  let services: Platform;
  let address: string;
  const gateways: Platform[] = [];

  const baseEnv = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1' });

  /** A gateway over the services with these TLS variables, listening on a loopback port. */
  async function gateway(tlsVariables: Record<string, string>) {
    const config = loadConfig({
      ...baseEnv(),
      USERS_SERVICE_ADDRESS: address,
      CATALOG_SERVICE_ADDRESS: address,
      PAYMENTS_SERVICE_ADDRESS: address,
      SERVICE_CALL_TIMEOUT: '3s',
      ...tlsVariables,
    });
    const platform = await createPlatform(config, createLogger(config), db.database, 'gateway');
    gateways.push(platform);
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const bound = platform.app.server.address();
    return apiAt(`http://127.0.0.1:${typeof bound === 'object' && bound ? bound.port : 0}`);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-mtls-'));
    db = await createTestDatabase();
    const config = loadConfig({
      ...baseEnv(),
      GRPC_TLS_CA: ours.ca.cert,
      GRPC_TLS_CERT: ours.server.cert,
      GRPC_TLS_KEY: ours.server.key,
    });
    services = await createPlatform(config, createLogger(config), db.database, 'all', {
      behindGateway: true,
    });
    address = `127.0.0.1:${await services.grpc.listen('127.0.0.1', 0)}`;
  });
  afterAll(async () => {
    for (const platform of gateways) await platform.close();
    await services?.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves REST through a gateway holding a client certificate the CA signed', async () => {
    const api = await gateway({
      GRPC_TLS_CA: ours.ca.cert,
      GRPC_TLS_CERT: ours.client.cert,
      GRPC_TLS_KEY: ours.client.key,
    });
    const { registered, login, product } = await registerAndSell(api);
    expect(registered.status).toBe(201);
    expect(login.status).toBe(200);
    expect(product.status).toBe(201);
    const read = await api<{ name: string }>('GET', `/products/${product.body.results.id}`);
    expect(read.body.results.name).toBe('Kopi Toraja');
  });

  it('answers 503 through a gateway the services refuse: plain text, or a certificate of another CA', async () => {
    const plain = await gateway({});
    const stranger = await gateway({
      GRPC_TLS_CA: ours.ca.cert,
      GRPC_TLS_CERT: foreign.client.cert,
      GRPC_TLS_KEY: foreign.client.key,
    });
    for (const api of [plain, stranger]) {
      const registered = await api('POST', '/users/register', { body: newUser() });
      expect(registered.status).toBe(503);
      expect(registered.body.meta.code).toBe('service_unavailable');
    }
  });

  it('answers 503 through a gateway that does not trust the services’ CA', async () => {
    const misled = await gateway({
      GRPC_TLS_CA: foreign.ca.cert,
      GRPC_TLS_CERT: ours.client.cert,
      GRPC_TLS_KEY: ours.client.key,
    });
    const registered = await misled('POST', '/users/register', { body: newUser() });
    expect(registered.status).toBe(503);
  });
});

/** The same as real processes (`mamlaka serve <role>`), certificates read from files. */
const real =
  testDatabase() === 'postgres' &&
  serviceUrl('TEST_NATS_URL') !== undefined &&
  serviceUrl('TEST_REDIS_URL') !== undefined;

describe.runIf(real)('the split deployment as processes, over mutual TLS', () => {
  let database: TestDatabase;
  let deployment: SplitDeployment;
  let certDir: string;
  const stream = `SPLIT_MTLS_${Date.now()}`;

  beforeAll(async () => {
    certDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-certs-'));
    const files = { 'ca.crt': ours.ca.cert, 'server.crt': ours.server.cert, 'server.key': ours.server.key };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(certDir, name), text);
    database = await createTestDatabase();
    deployment = await startSplitDeployment(
      {
        DATABASE_URL: database.url!,
        REDIS_URL: serviceUrl('TEST_REDIS_URL')!,
        NATS_URL: serviceUrl('TEST_NATS_URL')!,
        NATS_STREAM: stream,
        RATE_LIMIT_REDIS_PREFIX: `split-mtls:${Date.now()}`,
        // Every process: its own certificate (services serve it, the gateway presents it) and the CA.
        GRPC_TLS_CA_FILE: path.join(certDir, 'ca.crt'),
        GRPC_TLS_CERT_FILE: path.join(certDir, 'server.crt'),
        GRPC_TLS_KEY_FILE: path.join(certDir, 'server.key'),
      },
      1,
    );
  }, 180_000);
  afterAll(async () => {
    await deployment?.stop();
    await database?.drop();
    await deleteStream(serviceUrl('TEST_NATS_URL')!, stream).catch(() => {});
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  }, 60_000);

  it('serves REST through the gateway over the services', async () => {
    const { registered, login, product } = await registerAndSell(apiAt(deployment.gateways[0]!.url));
    expect([registered.status, login.status, product.status]).toEqual([201, 200, 201]);
  });

  it('refuses gRPC callers without a certificate at each service', async () => {
    const [users] = deployment.byRole('users');
    for (const credentials of [
      grpc.credentials.createInsecure(),
      grpc.credentials.createSsl(Buffer.from(ours.ca.cert)),
    ]) {
      const client = usersClient(`127.0.0.1:${users!.grpcPort}`, credentials);
      const outcome = await call(client, 'RegisterUser', newUser(), { deadlineMs: 5_000 });
      client.close();
      expect(outcome.error?.code).toBe(grpc.status.UNAVAILABLE);
    }
  });
});
