import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './crashable-server.js';

const NATS_SERVER = '/usr/sbin/nats-server';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Resolves true once the server greets a TCP client with its INFO line. */
const greets = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1').startsWith('INFO')));
    socket.once('error', () => done(false));
  });

/**
 * A private nats-server with JetStream on a fixed port and store directory, so that it can be
 * killed and started again with its streams and consumers intact.
 */
export class NatsTestServer {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log = '';

  private constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  static async start(): Promise<NatsTestServer> {
    const server = new NatsTestServer(await freePort(), mkdtempSync(path.join(tmpdir(), 'mamlaka-nats-')));
    try {
      await server.launch();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  /** What the server printed, for a failure message. */
  output(): string {
    return this.log;
  }

  async stop({ signal = 'SIGTERM' }: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    // A server that ignores SIGTERM (stuck in shutdown) is killed rather than waited on forever.
    const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(escalate);
  }

  /** Starts the server again on the same port and store directory (stopping it first if needed). */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Kills the server and deletes its store directory. */
  async close(): Promise<void> {
    await this.stop({ signal: 'SIGKILL' });
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.log += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk));
    let running = true;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        running = false;
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (running && Date.now() < deadline) {
      if (await greets(this.port)) return;
      await sleep(50);
    }
    await this.stop({ signal: 'SIGKILL' });
    throw new Error(`nats-server did not start on port ${this.port}:\n${this.log}`);
  }
}
