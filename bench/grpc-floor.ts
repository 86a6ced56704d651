// The transport floor under bench/grpc.ts's ratio: bare Fastify (bench/baseline.ts) against
// a bare gRPC server, grpc-js and Node's own HTTP/2 (bench/grpc-floor-server.ts), each
// answering a fixed message of the same size with nothing behind it, driven exactly as the
// gRPC section drives Mamlaka (autocannon on 20 HTTP/1.1 connections; h2load with 20 calls
// in flight on one HTTP/2 connection). Whatever a gRPC method costs beyond its REST twin
// starts from here.
//   npx tsx bench/grpc-floor.ts     (BENCH_RUNS, default 3; BENCH_SECONDS, default 10)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { framed } from './grpc-load.js';
import { h2loadPath, h2loadUnary } from './h2load.js';
import { FLOOR_ANSWER, FLOOR_METHOD } from './grpc-floor-server.js';
import { baselineSpec, freePort, startServer } from './servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONNECTIONS = 20;
const WARMUP_SECONDS = 2;

type Kind = 'grpc-js' | 'http2';

async function startFloor(kind: Kind): Promise<{ address: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'bench/grpc-floor-server.ts'), kind],
    {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`${kind} floor server exited with ${code}`)));
  });
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function fastifyRate(seconds: number): Promise<number> {
  const server = await startServer(await baselineSpec());
  try {
    await autocannon({ url: server.url, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    return (await autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds })).requests
      .average;
  } finally {
    await server.stop();
  }
}

async function grpcRate(h2load: string, kind: Kind, seconds: number): Promise<number> {
  const server = await startFloor(kind);
  try {
    const call = { path: FLOOR_METHOD, messages: [framed(Buffer.alloc(0))], metadata: {} };
    const load = await h2loadUnary(h2load, server.address, call, FLOOR_ANSWER.length + 5, {
      streams: CONNECTIONS,
      seconds,
      warmupSeconds: WARMUP_SECONDS,
    });
    if (load.errors > 0) throw new Error(`${kind}: ${load.errors} calls failed`);
    return load.callsPerSec;
  } finally {
    await server.stop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const h2load = h2loadPath();
  if (!h2load) throw new Error('h2load is needed (Debian: apt-get install nghttp2-client)');
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const ratios: Record<Kind, number[]> = { 'grpc-js': [], http2: [] };
  for (let run = 1; run <= runs; run++) {
    const fastify = await fastifyRate(seconds);
    const grpcJs = await grpcRate(h2load, 'grpc-js', seconds);
    const http2 = await grpcRate(h2load, 'http2', seconds);
    ratios['grpc-js'].push(grpcJs / fastify);
    ratios.http2.push(http2 / fastify);
    const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
    console.log(
      `run ${run}: Fastify ${rate(fastify)}, grpc-js ${rate(grpcJs)} (${(grpcJs / fastify).toFixed(2)}×), ` +
        `node:http2 ${rate(http2)} (${(http2 / fastify).toFixed(2)}×)`,
    );
  }
  console.log(
    `median of ${runs}: grpc-js ÷ Fastify ${median(ratios['grpc-js']).toFixed(2)}×, ` +
      `node:http2 ÷ Fastify ${median(ratios.http2).toFixed(2)}×`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('grpc floor bench failed:', error);
    process.exit(1);
  },
);
