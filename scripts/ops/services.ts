// Restarts of the machine's PostgreSQL, Redis and NATS for the chaos run, with the commands
// of this host's packages (Debian). Each restart is as short as it can be, and
// ensureServicesUp() (run in the chaos script's finally) starts whatever is found down, so
// the services are left running even when the run fails half-way.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${String(result.stderr).trim()}`,
    );
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(port: number, up: boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await listening(port)) === up) return;
    await sleep(100);
  }
  throw new Error(`port ${port} did not become ${up ? 'reachable' : 'free'} within ${timeoutMs} ms`);
}

function postgresVersion(): string {
  const versions = readdirSync('/etc/postgresql').filter((name) => /^\d+$/.test(name));
  if (versions.length === 0) throw new Error('no cluster under /etc/postgresql');
  return versions.sort((a, b) => Number(b) - Number(a))[0]!;
}

export async function restartPostgres(): Promise<void> {
  // `restart` stops in fast mode: open sessions are cut, as in a failover.
  run('pg_ctlcluster', ['--skip-systemctl-redirect', postgresVersion(), 'main', 'restart']);
  await waitFor(5432, true);
}

const startRedis = () =>
  run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '-::1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    '/var/lib/redis',
    '--logfile',
    '/var/log/redis/ci.log',
  ]);

export async function restartRedis(): Promise<void> {
  spawnSync('redis-cli', ['shutdown', 'nosave'], { stdio: 'ignore', timeout: 10_000 });
  await waitFor(6379, false);
  startRedis();
  await waitFor(6379, true);
}

const natsPids = (): number[] => {
  try {
    return execFileSync('pgrep', ['-x', 'nats-server'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};

const startNats = () =>
  run('start-stop-daemon', [
    '--start',
    '--oknodo',
    '--background',
    '--exec',
    '/usr/sbin/nats-server',
    '--',
    '-a',
    '127.0.0.1',
    '-p',
    '4222',
    '-js',
    '-sd',
    '/var/lib/nats-server',
    '-l',
    '/var/log/nats-server.log',
  ]);

export async function restartNats(): Promise<void> {
  for (const pid of natsPids()) process.kill(pid, 'SIGTERM');
  await waitFor(4222, false);
  startNats();
  await waitFor(4222, true);
}

/** Starts any of the three that is down; returns what it had to start. */
export async function ensureServicesUp(): Promise<string[]> {
  const started: string[] = [];
  if (!(await listening(5432))) {
    run('pg_ctlcluster', ['--skip-systemctl-redirect', postgresVersion(), 'main', 'start']);
    started.push('postgresql');
  }
  if (!(await listening(6379))) {
    startRedis();
    started.push('redis');
  }
  if (!(await listening(4222))) {
    startNats();
    started.push('nats');
  }
  for (const port of [5432, 6379, 4222]) await waitFor(port, true).catch(() => {});
  return started;
}
