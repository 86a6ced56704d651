// gRPC GetUserByID and GetProduct against their REST twins (GET /users/me, GET
// /products/:id) on the same server, back to back, at the same concurrency: `connections`
// requests in flight, autocannon on as many HTTP/1.1 connections for REST, as many streams
// on one HTTP/2 connection for gRPC (h2load, else grpc-load.ts), neither client decoding the
// answers.
// `npx tsx bench/grpc.ts` runs this section alone (see main below).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { loadContracts } from '../src/platform/grpc/contracts.js';
import { callOnce, framed, type LoadResult, type UnaryCall, unaryLoad } from './grpc-load.js';
import { h2loadPath, h2loadUnary } from './h2load.js';
import { withCpuOf } from './process-cpu.js';
import { createFixture } from './scenarios.js';
import { buildMamlaka, mamlakaSpec, startServer } from './servers.js';

export interface UnaryLoad {
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  calls: number;
  errors: number;
  /** The REST twin measured just before, when a REST URL was given. */
  rest?: {
    name: string;
    requestsPerSec: number;
    p50Ms: number;
    p99Ms: number;
    non2xx: number;
    /** The server's CPU meanwhile, in cores, when its process id was given. */
    serverCores?: number;
  };
  /** The server's CPU during the gRPC calls, in cores, when its process id was given. */
  serverCores?: number;
  /** gRPC ÷ REST, from the same run at the same concurrency. */
  ratioToRest?: number;
  /** What drove the gRPC calls: h2load, or Node's HTTP/2 client where h2load is missing. */
  client: 'h2load' | 'node:http2';
  /** The first failed call's status, when some failed. */
  firstError?: string;
}

type Settings = { connections: number; durationSeconds: number; warmupSeconds: number };

interface Case {
  name: string;
  call: UnaryCall;
  /** Checks one decoded answer, so a fast stream of errors cannot pass for a result. */
  check(message: Record<string, unknown>): boolean;
  decode(bytes: Buffer): Record<string, unknown>;
  rest: { name: string; paths: string[]; headers: Record<string, string> };
}

function cases(fixture: { token: string; userId: string; productIds: string[] }): Case[] {
  const { users, catalog } = loadContracts();
  const userMethod = users.mamlaka.users.v1.UserService.service.GetUserByID;
  const productMethod = catalog.mamlaka.catalog.v1.CatalogService.service.GetProduct;
  const bearer = { authorization: `Bearer ${fixture.token}` };
  return [
    {
      name: 'gRPC GetUserByID',
      call: {
        path: userMethod.path,
        messages: [framed(userMethod.requestSerialize({ id: fixture.userId }))],
        metadata: bearer,
      },
      decode: (bytes) => userMethod.responseDeserialize(bytes) as Record<string, unknown>,
      check: (user) => user.id === fixture.userId,
      rest: { name: 'GET /users/me', paths: ['/users/me'], headers: bearer },
    },
    // One product on both sides: h2load sends one request body.
    {
      name: 'gRPC GetProduct',
      call: {
        path: productMethod.path,
        messages: [framed(productMethod.requestSerialize({ id: fixture.productIds[0] }))],
        metadata: {},
      },
      decode: (bytes) => productMethod.responseDeserialize(bytes) as unknown as Record<string, unknown>,
      check: (product) => product.id === fixture.productIds[0],
      rest: { name: 'GET /products/:id', paths: [`/products/${fixture.productIds[0]}`], headers: {} },
    },
  ];
}

function cannon(url: string, rest: Case['rest'], connections: number, seconds: number) {
  let turn = 0;
  return autocannon({
    url: `${url}${rest.paths[0]}`,
    requests: [
      { setupRequest: (request) => ({ ...request, path: rest.paths[turn++ % rest.paths.length]! }) },
    ],
    headers: rest.headers,
    connections,
    duration: seconds,
  });
}

/** The gRPC side: h2load when this machine has it, else Node's HTTP/2 client. */
async function grpcLoad(
  address: string,
  call: UnaryCall,
  answerBytes: number,
  settings: Settings,
): Promise<LoadResult & { client: UnaryLoad['client'] }> {
  const h2load = h2loadPath();
  const options = { streams: settings.connections, seconds: settings.durationSeconds };
  if (h2load) {
    // All `connections` calls in flight on one connection, as one gRPC channel.
    const load = await h2loadUnary(h2load, address, call, answerBytes, {
      ...options,
      warmupSeconds: settings.warmupSeconds,
    });
    return { ...load, client: 'h2load' };
  }
  if (settings.warmupSeconds > 0) await unaryLoad(address, call, options.streams, settings.warmupSeconds);
  return { ...(await unaryLoad(address, call, options.streams, options.seconds)), client: 'node:http2' };
}

/**
 * GetUserByID (the caller's own profile) and GetProduct (one product of the catalog, which
 * the REST scenario has read, so both read a warm cache). With `rest`, each is preceded by
 * its REST twin on the same server and reported as a ratio to it.
 */
export async function measureGrpc(
  address: string,
  fixture: { token: string; userId: string; productIds: string[] },
  settings: Settings,
  rest?: { url: string; pid?: number },
): Promise<{ name: string; load: UnaryLoad }[]> {
  // The server's CPU beside each figure, where its process is known (this section run alone).
  const cpuOf = async <T>(load: () => Promise<T>): Promise<{ result: T; cores?: number }> =>
    rest?.pid === undefined ? { result: await load() } : withCpuOf(rest.pid, load);
  const results: { name: string; load: UnaryLoad }[] = [];
  for (const item of cases(fixture)) {
    const bytes = await callOnce(address, item.call);
    const answer = item.decode(bytes);
    if (!item.check(answer)) throw new Error(`${item.name} answered ${JSON.stringify(answer).slice(0, 200)}`);
    let restResult: UnaryLoad['rest'];
    if (rest) {
      if (settings.warmupSeconds > 0)
        await cannon(rest.url, item.rest, settings.connections, settings.warmupSeconds);
      const { result: measured, cores } = await cpuOf(() =>
        cannon(rest.url, item.rest, settings.connections, settings.durationSeconds),
      );
      restResult = {
        ...(cores === undefined ? {} : { serverCores: cores }),
        name: item.rest.name,
        requestsPerSec: measured.requests.average,
        p50Ms: measured.latency.p50,
        p99Ms: measured.latency.p99,
        non2xx: measured.non2xx + measured.errors,
      };
    }
    // The answer framed as on the wire: what h2load must receive per successful call.
    const grpc = await cpuOf(() => grpcLoad(address, item.call, bytes.length + 5, settings));
    const load: UnaryLoad = {
      ...grpc.result,
      ...(grpc.cores === undefined ? {} : { serverCores: grpc.cores }),
    };
    if (restResult) {
      load.rest = restResult;
      load.ratioToRest = restResult.requestsPerSec > 0 ? load.callsPerSec / restResult.requestsPerSec : 0;
    }
    results.push({ name: item.name, load });
  }
  return results;
}

export function grpcReport(results: { name: string; load: UnaryLoad }[]): string {
  return results
    .map(({ name, load }) => {
      const cores = (of?: number) => (of === undefined ? '' : `, server ${of.toFixed(2)} cores`);
      const own = `${name.padEnd(18)} ${Math.round(load.callsPerSec).toLocaleString('en-US').padStart(7)}/s (p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${load.errors} errors, ${load.client}${cores(load.serverCores)})`;
      if (!load.rest) return own;
      return (
        `${own}  ${load.rest.name} ${Math.round(load.rest.requestsPerSec).toLocaleString('en-US')}/s ` +
        `(p99 ${load.rest.p99Ms} ms${cores(load.rest.serverCores)})  gRPC ÷ REST ${load.ratioToRest!.toFixed(2)}×`
      );
    })
    .join('\n');
}

/**
 * This section alone, on PGlite or DATABASE_URL: BENCH_SECONDS, BENCH_WARMUP_SECONDS,
 * BENCH_CATALOG (products, default 1,000), BENCH_NO_BUILD=1 to use dist/ as it is, and
 * BENCH_CPU_PROF=<dir> to write the server's CPU profile there (bench/cpu-profile.ts reads it).
 */
async function main(): Promise<void> {
  const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const settings = {
    connections: 20,
    durationSeconds: number('BENCH_SECONDS', 10),
    warmupSeconds: number('BENCH_WARMUP_SECONDS', 2),
  };
  buildMamlaka();
  const spec = await mamlakaSpec();
  const profileDir = process.env.BENCH_CPU_PROF;
  if (profileDir) spec.args.unshift('--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir));
  const server = await startServer(spec);
  try {
    const fixture = await createFixture(server.url, number('BENCH_CATALOG', 1_000));
    // A warm product cache on both edges, as the main bench's REST scenario leaves it.
    for (const id of fixture.productIds) await (await fetch(`${server.url}/products/${id}`)).arrayBuffer();
    const results = await measureGrpc(`127.0.0.1:${spec.env.GRPC_PORT}`, fixture, settings, {
      url: server.url,
      pid: server.pid,
    });
    console.log(`\n${grpcReport(results)}\n`);
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('grpc bench failed:', error);
      process.exit(1);
    },
  );
}
