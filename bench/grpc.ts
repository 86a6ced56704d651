// Unary gRPC calls under load, the gRPC counterpart of autocannon: `connections` calls in
// flight at all times on one channel (HTTP/2 multiplexes them), for a fixed duration.
import * as grpc from '@grpc/grpc-js';
import { loadContracts } from '../src/platform/grpc/contracts.js';

export interface UnaryLoad {
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  calls: number;
  errors: number;
}

type Method = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null) => void,
) => void;

async function run(
  client: grpc.Client,
  method: string,
  request: (n: number) => object,
  metadata: grpc.Metadata,
  connections: number,
  seconds: number,
): Promise<UnaryLoad> {
  const fn = (client as unknown as Record<string, Method>)[method]!.bind(client);
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      const failed = await new Promise<boolean>((resolve) =>
        fn(request(n++), metadata, { deadline: Date.now() + 10_000 }, (error) => resolve(error !== null)),
      );
      if (failed) errors += 1;
      else latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0;
  return {
    callsPerSec: latencies.length / elapsed,
    p50Ms: Math.round(at(50) * 10) / 10,
    p99Ms: Math.round(at(99) * 10) / 10,
    calls: latencies.length,
    errors,
  };
}

/** GetUserByID (the caller's own profile) and GetProduct (cycling through the catalog). */
export async function measureGrpc(
  address: string,
  fixture: { token: string; userId: string; productIds: string[] },
  settings: { connections: number; durationSeconds: number; warmupSeconds: number },
): Promise<{ name: string; load: UnaryLoad }[]> {
  const { users, catalog } = loadContracts();
  const credentials = grpc.credentials.createInsecure();
  const userClient = new users.mamlaka.users.v1.UserService(address, credentials);
  const catalogClient = new catalog.mamlaka.catalog.v1.CatalogService(address, credentials);
  const authorized = new grpc.Metadata();
  authorized.set('authorization', `Bearer ${fixture.token}`);
  const cases = [
    {
      name: 'gRPC GetUserByID',
      client: userClient as grpc.Client,
      method: 'GetUserByID',
      request: () => ({ id: fixture.userId }),
      metadata: authorized,
    },
    {
      name: 'gRPC GetProduct',
      client: catalogClient as grpc.Client,
      method: 'GetProduct',
      request: (n: number) => ({ id: fixture.productIds[n % fixture.productIds.length] }),
      metadata: new grpc.Metadata(),
    },
  ];
  try {
    const results = [];
    for (const item of cases) {
      if (settings.warmupSeconds > 0)
        await run(
          item.client,
          item.method,
          item.request,
          item.metadata,
          settings.connections,
          settings.warmupSeconds,
        );
      results.push({
        name: item.name,
        load: await run(
          item.client,
          item.method,
          item.request,
          item.metadata,
          settings.connections,
          settings.durationSeconds,
        ),
      });
    }
    return results;
  } finally {
    userClient.close();
    catalogClient.close();
  }
}
