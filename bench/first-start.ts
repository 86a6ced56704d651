// `npm run bench -- first-start`: the first hour as a new user meets it, on a fresh clone of
// this repository's HEAD. It times `npm ci`, the first `npm start` to a healthy server, a
// restart, and the server's memory once idle, each beside a bare Node HTTP server started
// the same way in the same run (the baseline), so figures from other machines compare as
// ratios; with a PostgreSQL server (DATABASE_URL or BENCH_PG_URL) also the idle memory of
// a server on a scratch database there.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../scripts/split-deployment.js';
import { median } from './measure.js';
import { createBenchDatabase, type PostgresTarget } from './postgres.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);

const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME });

/** Every process below `pid` (npm start → sh → node), read from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces; the parent pid follows it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while it was read.
    }
  }
  const all: number[] = [];
  const visit = (p: number) => {
    for (const child of children.get(p) ?? []) {
      all.push(child);
      visit(child);
    }
  };
  visit(pid);
  return all;
}

const rssMb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
};

interface Started {
  child: ChildProcess;
  seconds: number;
  stop(): Promise<void>;
}

/** Runs `command` in its own process group and waits until `url` answers 200. */
async function startAndWait(
  command: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  url: string,
): Promise<Started> {
  const began = performance.now();
  const child = spawn(command[0]!, command.slice(1), {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${command.join(' ')} exited (${child.exitCode}):\n${stderr}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (performance.now() - began > 300_000) throw new Error(`${command.join(' ')} did not become healthy`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - began) / 1000;
  return {
    child,
    seconds,
    async stop() {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

/** The resident memory of the largest process of the tree (the server, not npm's shell). */
async function idleRss(started: Started): Promise<number> {
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const pids = [started.child.pid!, ...descendants(started.child.pid!)];
  return Math.max(...pids.map((pid) => rssMb(pid)));
}

export interface FirstStartResult {
  commit: string;
  npmCiSeconds: number;
  badEngines: number;
  idleSeconds: number;
  /** How many times each start was timed; the seconds below are medians. */
  runs?: number;
  baselineStartSeconds: number;
  firstStartSeconds: number;
  reopenSeconds: number;
  baselineRssMb: number;
  pgliteRssMb: number;
  /** Every timing the medians were taken from, in order. */
  starts?: { baseline: number[]; first: number[]; reopen: number[] };
  /** Undefined without a PostgreSQL server to start on. */
  postgresRssMb: number | undefined;
}

export async function runFirstStart(
  postgres: PostgresTarget | undefined,
  runs: number,
): Promise<FirstStartResult> {
  const work = mkdtempSync(path.join(tmpdir(), 'mamlaka-first-start-'));
  const clone = path.join(work, 'mamlaka');
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
    console.log(`first start: fresh clone of ${commit}`);
    execFileSync('git', ['clone', '--quiet', root, clone]);

    const began = performance.now();
    const install = spawn('npm', ['ci', '--no-audit', '--no-fund'], { cwd: clone, env: baseEnv() });
    let installOutput = '';
    install.stdout.on('data', (d) => (installOutput += d));
    install.stderr.on('data', (d) => (installOutput += d));
    const installCode = await new Promise<number | null>((resolve) => install.on('close', resolve));
    const npmCiSeconds = (performance.now() - began) / 1000;
    if (installCode !== 0) throw new Error(`npm ci failed:\n${installOutput}`);
    const badEngines = installOutput.split('\n').filter((l) => l.includes('EBADENGINE')).length;

    // The baseline: a bare Node HTTP server, started through npm as well.
    const basePort = await freePort();
    const baselineCommand = [
      'npm',
      'exec',
      '--',
      'node',
      '-e',
      `require('http').createServer((q,s)=>s.end('ok')).listen(${basePort})`,
    ];
    const baselineUrl = `http://127.0.0.1:${basePort}/`;
    // Each start is timed `runs` times, alternating with the baseline, and the medians
    // reported: on a machine whose speed swings, one start says little.
    const baselineSeconds: number[] = [];
    const firstSeconds: number[] = [];
    const reopenSeconds: number[] = [];
    let baselineRss = 0;
    let rss = 0;

    const serverEnv = async (dataDir: string) => {
      const port = await freePort();
      return {
        env: {
          ...baseEnv(),
          PORT: String(port),
          GRPC_PORT: String(await freePort()),
          METRICS_PORT: '0',
          DATA_DIR: path.join(work, dataDir),
          LOG_LEVEL: 'warn',
        },
        health: `http://127.0.0.1:${port}/health`,
      };
    };
    const kept = await serverEnv('data');
    for (let run = 0; run < runs; run++) {
      const baseline = await startAndWait(baselineCommand, clone, baseEnv(), baselineUrl);
      baselineSeconds.push(baseline.seconds);
      if (run === 0) baselineRss = await idleRss(baseline);
      await baseline.stop();
      // Every first start on a DATA_DIR of its own; the memory is read after the first one.
      const { env, health } = run === 0 ? kept : await serverEnv(`data-${run}`);
      const first = await startAndWait(['npm', 'start'], clone, env, health);
      firstSeconds.push(first.seconds);
      if (run === 0) rss = await idleRss(first);
      await first.stop();
      const restart = await startAndWait(['npm', 'start'], clone, kept.env, kept.health);
      reopenSeconds.push(restart.seconds);
      await restart.stop();
    }

    let postgresRss: number | undefined;
    if (postgres) {
      const scratch = await createBenchDatabase(postgres.url);
      try {
        const onPostgres = await serverEnv('data-postgres');
        const server = await startAndWait(
          ['npm', 'start'],
          clone,
          { ...onPostgres.env, DATABASE_URL: scratch.url },
          onPostgres.health,
        );
        postgresRss = await idleRss(server);
        await server.stop();
      } finally {
        await scratch.drop();
      }
    }
    return {
      commit,
      npmCiSeconds,
      badEngines,
      idleSeconds: IDLE_SECONDS,
      runs,
      baselineStartSeconds: median(baselineSeconds),
      firstStartSeconds: median(firstSeconds),
      reopenSeconds: median(reopenSeconds),
      starts: { baseline: baselineSeconds, first: firstSeconds, reopen: reopenSeconds },
      baselineRssMb: baselineRss,
      pgliteRssMb: rss,
      postgresRssMb: postgresRss,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
