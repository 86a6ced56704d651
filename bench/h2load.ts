// gRPC unary load from h2load (nghttp2's HTTP/2 benchmark, in C): what autocannon is to
// HTTP/1.1. Node's own HTTP/2 client spends more CPU per call than the server it drives, and
// on two shared cores it, not the server, set the gRPC figure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadResult, UnaryCall } from './grpc-load.js';

/** h2load from PATH (Debian: `apt-get install nghttp2-client`), or BENCH_H2LOAD; else undefined. */
export function h2loadPath(): string | undefined {
  const given = process.env.BENCH_H2LOAD;
  if (given) return given;
  const found = spawnSync('sh', ['-c', 'command -v h2load'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

interface H2loadRun {
  succeeded: number;
  failed: number;
  dataBytes: number;
  seconds: number;
}

/** The figures h2load prints at the end of a run. */
export function parseH2loadOutput(output: string): H2loadRun {
  const finished = /finished in ([\d.]+)s/.exec(output);
  const requests =
    /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(output);
  const traffic = /traffic: .*, [\d.]+\w*B \((\d+)\) data/.exec(output);
  if (!finished || !requests || !traffic)
    throw new Error(`h2load printed no result:\n${output.slice(-2000)}`);
  return {
    succeeded: Number(requests[1]),
    failed: Number(requests[2]) + Number(requests[3]),
    dataBytes: Number(traffic[1]),
    seconds: Number(finished[1]),
  };
}

function runH2load(h2load: string, args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(h2load, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`h2load exited ${code}:\n${text}`)),
    );
  });
}

/**
 * `streams` calls of `call.messages[0]` in flight on each of `connections` connections (one
 * by default, as one gRPC channel) for `seconds`, after a run of `warmupSeconds` of its own (h2load's warm-up would count its
 * bytes in the measured run's). A gRPC error is an HTTP 200 whose trailers say so, which
 * h2load does not read; an error carries no message, though, so every call short of
 * `answerBytes` of response data (the framed answer of a call checked beforehand) is counted
 * as an error, less the calls in flight when the clock stopped.
 */
export async function h2loadUnary(
  h2load: string,
  address: string,
  call: UnaryCall,
  answerBytes: number,
  options: { streams: number; seconds: number; warmupSeconds: number; connections?: number },
): Promise<LoadResult> {
  const connections = options.connections ?? 1;
  const dir = mkdtempSync(path.join(tmpdir(), 'mamlaka-h2load-'));
  try {
    const body = path.join(dir, 'request.bin');
    const log = path.join(dir, 'calls.tsv');
    writeFileSync(body, call.messages[0]!);
    const headers = Object.entries({ 'content-type': 'application/grpc', te: 'trailers', ...call.metadata });
    const args = (seconds: number) => [
      ...['-D', String(seconds), '-c', String(connections), '-m', String(options.streams)],
      ...['-d', body, `--log-file=${log}`],
      ...headers.flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
      `http://${address}${call.path}`,
    ];
    if (options.warmupSeconds > 0) await runH2load(h2load, args(options.warmupSeconds));
    const run = parseH2loadOutput(await runH2load(h2load, args(options.seconds)));
    const answered = Math.floor(run.dataBytes / answerBytes);
    const errors = run.failed + Math.max(0, run.succeeded - answered - options.streams * connections);
    const latencies = readFileSync(log, 'utf8')
      .split('\n')
      .map((line) => line.split('\t'))
      .filter((fields) => fields[1] === '200')
      .map((fields) => Number(fields[2]) / 1000)
      .sort((a, b) => a - b);
    const at = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0;
    return {
      callsPerSec: (run.succeeded - errors) / run.seconds,
      p50Ms: Math.round(at(50) * 10) / 10,
      p99Ms: Math.round(at(99) * 10) / 10,
      calls: run.succeeded - errors,
      errors,
      ...(errors > 0 ? { firstError: `${errors} calls answered without a message (a gRPC error)` } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
