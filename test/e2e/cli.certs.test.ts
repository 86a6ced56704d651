import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { h2Request, http1Request } from '../helpers/tls.js';

/**
 * `mamlaka certs dev` as an operator runs it, then `mamlaka start` with what it printed:
 * the all-in-one server over HTTPS with the certificates it wrote.
 */
describe('mamlaka certs dev', () => {
  let dataDir: string;
  const certs = () => path.join(dataDir, 'certs');
  const read = (file: string) => readFileSync(path.join(certs(), file), 'utf8');

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-certs-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes a CA, a server and a client certificate under DATA_DIR/certs and prints the variables', async () => {
    const result = await runCli(['certs', 'dev', '--host', 'shop.test'], { DATA_DIR: dataDir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`TLS_CERT_FILE=${path.join(certs(), 'server.crt')}`);
    expect(result.stdout).toContain(`GRPC_TLS_CA_FILE=${path.join(certs(), 'ca.crt')}`);
    const ca = new X509Certificate(read('ca.crt'));
    const server = new X509Certificate(read('server.crt'));
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('shop.test')).toBe('shop.test');
    expect(new X509Certificate(read('client.crt')).verify(ca.publicKey)).toBe(true);
  });

  it('refuses to replace existing certificates without --force', async () => {
    const before = read('ca.crt');
    const again = await runCli(['certs', 'dev'], { DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds ca\.crt.*--force/);
    expect(read('ca.crt')).toBe(before);
  });

  it('gives certificates `mamlaka start` serves HTTPS with, health and readiness included', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        GRPC_PORT: '0',
        LOG_LEVEL: 'info',
        TLS_CERT_FILE: path.join(certs(), 'server.crt'),
        TLS_KEY_FILE: path.join(certs(), 'server.key'),
      },
    });
    let output = '';
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const origin = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
        const onData = (chunk: Buffer) => {
          output += chunk;
          const match = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(`https://localhost:${match[1]}`);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then(() => reject(new Error(`server exited:\n${output}`)));
      });
      expect(output).toMatch(/gRPC \(TLS\) on 127\.0\.0\.1:\d+/);
      const ca = read('ca.crt');
      expect(await h2Request(origin, 'GET', '/health', ca)).toMatchObject({ status: 200, alpn: 'h2' });
      expect(await http1Request(origin, 'GET', '/ready', ca)).toMatchObject({
        status: 200,
        httpVersion: '1.1',
      });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
