import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/split-deployment.js';
import { testDatabase } from '../helpers/services.js';

/**
 * The README's walkthrough, run as written: every `sh` block under "## Walkthrough", in
 * order, in one shell, against a server started with `npm start` on a new DATA_DIR. Only the
 * addresses change (free ports instead of 8080, 50051 and 9000), so the README can never
 * again promise a command that does not work. The walkthrough is the embedded default's,
 * so it runs in the pglite project only.
 */
const root = path.resolve(import.meta.dirname, '../..');

function walkthroughBlocks(readme: string): string[] {
  const start = readme.indexOf('\n## Walkthrough\n');
  if (start < 0) throw new Error('README.md has no "## Walkthrough" section');
  const next = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

interface Ports {
  http: number;
  grpc: number;
  hooks: number;
}

function retarget(block: string, ports: Ports): string {
  return block
    .replaceAll('localhost:8080', `127.0.0.1:${ports.http}`)
    .replaceAll('127.0.0.1:50051', `127.0.0.1:${ports.grpc}`)
    .replaceAll('127.0.0.1:9000', `127.0.0.1:${ports.hooks}`)
    .replaceAll('--port 9000', `--port ${ports.hooks}`);
}

describe.skipIf(testDatabase() !== 'pglite')('the README walkthrough', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-readme-'));
  let ports: Ports;
  let server: ChildProcess;
  let serverLog = '';

  beforeAll(async () => {
    ports = { http: await freePort(), grpc: await freePort(), hooks: await freePort() };
    server = spawn('npm', ['start'], {
      cwd: root,
      detached: true,
      env: { ...process.env, PORT: String(ports.http), GRPC_PORT: String(ports.grpc), DATA_DIR: dataDir },
    });
    server.stdout!.on('data', (d) => (serverLog += d));
    server.stderr!.on('data', (d) => (serverLog += d));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${ports.http}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (server.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm start did not become healthy:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 150_000);

  afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      process.kill(-server.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every shell block in order, each answering without an error envelope', async () => {
    const blocks = walkthroughBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThan(4);
    // One shell for all blocks, as a reader pastes them into one terminal; a marker after
    // each block tells which one failed, and `set -e` stops at the first failing command.
    const script = [
      'set -eo pipefail',
      ...blocks.map((block, i) => `${retarget(block, ports)}\necho "@@block ${i} done"`),
    ].join('\n');
    const shell = spawn('bash', ['-c', script], {
      cwd: root,
      detached: true,
      env: { ...process.env, DATA_DIR: dataDir },
    });
    let output = '';
    shell.stdout.on('data', (d) => (output += d));
    shell.stderr.on('data', (d) => (output += d));
    // 'exit', not 'close': a listener left in the background would hold the pipes open.
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => process.kill(-shell.pid!, 'SIGKILL'), 240_000);
      shell.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    // Whatever a block left running in the background (the webhook listener) ends here.
    try {
      process.kill(-shell.pid!, 'SIGTERM');
    } catch {
      // Nothing was left.
    }
    const done = [...output.matchAll(/@@block (\d+) done/g)].length;
    const failedBlock = done < blocks.length ? `\nfailed in block ${done}:\n${blocks[done]}` : '';
    expect(code, `${output}${failedBlock}`).toBe(0);
    expect(done).toBe(blocks.length);
    // curl -s exits 0 on a 4xx: an error envelope in the output is the walkthrough failing.
    expect(output).not.toContain('"success":false');
    // What the blocks promise in their comments: a settled Midtrans payment, a verified delivery.
    expect(output).toMatch(/"status":"succeeded"/);
    expect(output).toMatch(/payment\.succeeded \S+ signature ok/);
  }, 300_000);
});
