import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('the gateway', () => {
  it('answers /health and /ready', async () => {
    expect((await app.api('GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await app.api('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('serves an OpenAPI 3.1 document covering every user route, and the reference at /docs', async () => {
    const doc = (await app.api('GET', '/openapi.json')).body as unknown as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/users/register',
      '/users/login',
      '/users/me',
      '/users/{id}',
      '/auth/refresh',
      '/auth/logout',
      '/.well-known/jwks.json',
    ]) {
      expect(doc.paths).toHaveProperty([p]);
    }
    const docs = await fetch(`${app.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('Scalar');
  });

  it('echoes a client request id and makes one up otherwise', async () => {
    const given = await app.api('GET', '/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await app.api('GET', '/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9_-]{8}-[0-9a-z]+$/);
  });

  it('marks sandbox responses and sends security headers', async () => {
    const res = await app.api('GET', '/nope');
    expect(res.headers.get('mamlaka-mode')).toBe('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    // What only a page acts on stays off JSON answers.
    expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(res.status).toBe(404);
    expect(res.body.meta).toMatchObject({ success: false, code: 'route_not_found', sandbox: true });
  });

  it("gives HTML pages helmet's document headers, keeping the page's own policy", async () => {
    const page = await fetch(`${app.url}/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('origin-agent-cluster')).toBe('?1');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' 'unsafe-inline'");
    await page.arrayBuffer();
  });

  it('answers CORS preflights', async () => {
    const res = await fetch(`${app.url}/users/login`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('refuses an unsupported content type with 415', async () => {
    const res = await app.api('POST', '/users/login', {
      raw: 'email=a',
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(415);
    expect(res.body.meta.code).toBe('unsupported_media_type');
  });
});

describe('live mode', () => {
  it('does not mark responses as sandbox', async () => {
    const live = await startLiveApp();
    try {
      const res = await live.api('GET', '/nope');
      expect(res.headers.get('mamlaka-mode')).toBe('live');
      expect(res.body.meta).not.toHaveProperty('sandbox');
    } finally {
      await live.close();
    }
  });
});
