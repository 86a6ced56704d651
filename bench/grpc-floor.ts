// The transport floor under bench/grpc.ts's ratio: bare Fastify (bench/baseline.ts) against
// a bare gRPC server, grpc-js and Node's own HTTP/2 (bench/grpc-floor-server.ts), each
// answering a fixed message of the same size with nothing behind it, driven exactly as the
// gRPC section drives Mamlaka (autocannon on 20 HTTP/1.1 connections; h2load with 20 calls
// in flight on one HTTP/2 connection). Whatever a gRPC method costs beyond its REST twin
// starts from here. Each server's CPU over the measured seconds is printed beside its rate:
// a server short of a whole core was waiting on its client, not working. The bare HTTP/2
// server is also driven with the 20 calls spread over 20 connections, one call each, the
// shape autocannon gives REST.
//   npx tsx bench/grpc-floor.ts     (BENCH_RUNS, default 3; BENCH_SECONDS, default 10)
//   BENCH_CPU_PROF=<dir>            the gRPC floor servers write their CPU profiles there
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { framed } from './grpc-load.js';
import { withCpuOf } from './process-cpu.js';
import { h2loadPath, h2loadUnary } from './h2load.js';
import { FLOOR_ANSWER, FLOOR_METHOD } from './grpc-floor-server.js';
import { baselineSpec, freePort, startServer } from './servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONNECTIONS = 20;
const WARMUP_SECONDS = 2;

type Kind = 'grpc-js' | 'http2';

interface Measured {
  perSec: number;
  /** The server's CPU over the run, its warm-up included, in cores (1.0: one core busy throughout). */
  cores: number;
}

async function measured(pid: number, load: () => Promise<number>): Promise<Measured> {
  const { result: perSec, cores } = await withCpuOf(pid, load);
  return { perSec, cores };
}

async function startFloor(kind: Kind): Promise<{ address: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const profileDir = process.env.BENCH_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', path.join(root, 'bench/grpc-floor-server.ts'), kind],
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
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function fastifyRate(seconds: number): Promise<Measured> {
  const server = await startServer(await baselineSpec());
  try {
    await autocannon({ url: server.url, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    return await measured(server.pid, async () => {
      const run = await autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds });
      return run.requests.average;
    });
  } finally {
    await server.stop();
  }
}

/** `shape: 'channel'`: 20 calls in flight on one connection; `'connections'`: one on each of 20. */
async function grpcRate(
  h2load: string,
  kind: Kind,
  seconds: number,
  shape: 'channel' | 'connections' = 'channel',
): Promise<Measured> {
  const server = await startFloor(kind);
  try {
    const call = { path: FLOOR_METHOD, messages: [framed(Buffer.alloc(0))], metadata: {} };
    const spread = shape === 'connections';
    return await measured(server.pid, async () => {
      const load = await h2loadUnary(h2load, server.address, call, FLOOR_ANSWER.length + 5, {
        streams: spread ? 1 : CONNECTIONS,
        connections: spread ? CONNECTIONS : 1,
        seconds,
        warmupSeconds: WARMUP_SECONDS,
      });
      if (load.errors > 0) throw new Error(`${kind}: ${load.errors} calls failed`);
      return load.callsPerSec;
    });
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
    const http2Spread = await grpcRate(h2load, 'http2', seconds, 'connections');
    ratios['grpc-js'].push(grpcJs.perSec / fastify.perSec);
    ratios.http2.push(http2.perSec / fastify.perSec);
    const shown = (of: Measured, ratio = true) =>
      `${Math.round(of.perSec).toLocaleString('en-US')}/s` +
      ` (${ratio ? `${(of.perSec / fastify.perSec).toFixed(2)}×, ` : ''}server ${of.cores.toFixed(2)} cores)`;
    console.log(
      `run ${run}: Fastify ${shown(fastify, false)}, grpc-js ${shown(grpcJs)}, node:http2 ${shown(http2)}; ` +
        `node:http2 on 20 connections, one call each: ${shown(http2Spread)}`,
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
