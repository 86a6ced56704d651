import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAppContentSecurityPolicy, webAppRoutes } from './web-app.routes.js';

let dir: string;
let app: FastifyInstance;
const script = 'console.log("app");'.repeat(20);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mamlaka-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<meta name="mamlaka-mode" content="%MAMLAKA_MODE%"><div id="root"></div>',
  );
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), script);
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync(script));
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js.gz'), gzipSync(script));
  writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(path.join(dir, 'secret.txt'), 'not served');
  app = Fastify();
  webAppRoutes(app, { mode: 'sandbox', imageOrigins: ['https://cdn.example'], dir });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the web app routes', () => {
  it('answer every app path with the page, the server mode written in, never cached stale', async () => {
    for (const url of ['/', '/cart', '/item/abc', '/account/orders/1', '/dashboard', '/console/users']) {
      const page = await app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).toContain('content="sandbox"');
    }
  });

  it('send the strict policy: own scripts only, images also from the store', async () => {
    const page = await app.inject({ url: '/' });
    expect(page.headers['content-security-policy']).toBe(
      webAppContentSecurityPolicy(['https://cdn.example']),
    );
    expect(page.headers['content-security-policy']).toContain("script-src 'self';");
    expect(page.headers['content-security-policy']).toContain(
      "img-src 'self' data: blob: https://cdn.example",
    );
  });

  it('serve hashed assets as immutable, precompressed when the client accepts it', async () => {
    const br = await app.inject({
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(br.statusCode).toBe(200);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(script);
    const plain = await app.inject({ url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
  });

  it('serve the service worker for the whole origin, revalidated on every load', async () => {
    const worker = await app.inject({ url: '/sw.js' });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers['cache-control']).toBe('no-cache');
    expect(worker.headers['service-worker-allowed']).toBe('/');
  });

  it('serve nothing outside assets/ and the listed files', async () => {
    for (const url of ['/assets/..%2Fsecret.txt', '/assets/.hidden', '/secret.txt', '/assets/missing.js']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain('not served');
    }
  });

  it('say so when the app was not built', async () => {
    const bare = Fastify();
    webAppRoutes(bare, { mode: 'live', imageOrigins: [], dir: path.join(dir, 'missing') });
    const page = await bare.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    await bare.close();
  });
});
