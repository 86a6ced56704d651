import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import path from 'node:path';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
const START_TIMEOUT_MS = 60_000;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// One way to find a free port, shared with the split deployment's launcher.
export { freePort } from '../../scripts/split-deployment.js';

const answers = async (url: string) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
};

const accepts = (socketPath: string) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * `mamlaka start` as a child process on a fixed port, to be killed with SIGKILL and
 * started again on the same data directory or database, as often as a test likes.
 * Readiness is polled (`/ready`, and on the embedded database the control socket too), so
 * the server may run with LOG_LEVEL=warn and print nothing.
 */
export class CrashableServer {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private log = '';
  private generation = 0;

  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
    /** The CLI command: `start`, or `serve <role>` for a part of the split deployment. */
    private readonly command: string[] = ['start'],
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Everything every generation printed, each under a heading. */
  output(): string {
    return this.log;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts a new generation and resolves once it serves HTTP (and the CLI's socket). */
  async start(): Promise<void> {
    if (this.child) throw new Error('the server is already running');
    this.generation += 1;
    const child = spawn(process.execPath, [...CLI, ...this.command], {
      // gRPC on a port of its own choosing: servers of parallel suites must not collide on 50051.
      env: { ...process.env, HOST: '127.0.0.1', GRPC_PORT: '0', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.log += `\n--- generation ${this.generation} (pid ${child.pid}) ---\n`;
    child.stdout!.on('data', (chunk: Buffer) => (this.log += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk));
    const ended: { code?: number | null; signal?: NodeJS.Signals | null } = {};
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        Object.assign(ended, { code, signal });
        resolve(code);
      }),
    );
    this.child = child;

    const embedded = !this.env.DATABASE_URL;
    const socketPath = path.join(this.env.DATA_DIR ?? 'data', 'control.sock');
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if ('code' in ended) {
        this.child = undefined;
        throw new Error(
          `server generation ${this.generation} exited (code ${ended.code}, signal ${ended.signal}) before it was ready:${this.log}`,
        );
      }
      if ((await answers(`${this.url}/ready`)) && (!embedded || (await accepts(socketPath)))) return;
      await sleep(50);
    }
    await this.kill();
    throw new Error(
      `server generation ${this.generation} was not ready after ${START_TIMEOUT_MS} ms:${this.log}`,
    );
  }

  /** SIGKILL: no shutdown hook runs, the database is left exactly as the crash left it. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGKILL');
    await this.exited;
  }
}
