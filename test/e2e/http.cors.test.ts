import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApp, startTestApp, type TestApp } from '../helpers/test-app.js';

const allowOrigin = async (app: TestApp, origin: string, method: 'GET' | 'OPTIONS' = 'GET') => {
  const headers: Record<string, string> = { origin };
  if (method === 'OPTIONS') headers['access-control-request-method'] = 'POST';
  const res = await fetch(`${app.url}/products`, { method, headers });
  await res.arrayBuffer();
  return res.headers.get('access-control-allow-origin');
};

describe('CORS', () => {
  let live: TestApp;
  let listed: TestApp;
  let sandbox: TestApp;
  beforeAll(async () => {
    [live, listed, sandbox] = await Promise.all([
      startLiveApp(),
      startLiveApp({ CORS_ORIGINS: 'https://shop.example, http://localhost:5173' }),
      startTestApp(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([live?.close(), listed?.close(), sandbox?.close()]);
  });

  it('in live mode allows no other origin unless CORS_ORIGINS lists it', async () => {
    expect(await allowOrigin(live, 'https://evil.example')).toBeNull();
    expect(await allowOrigin(live, 'https://evil.example', 'OPTIONS')).toBeNull();
    expect(await allowOrigin(live, 'null')).toBeNull();
  });

  it('in live mode echoes a listed origin, and only that', async () => {
    expect(await allowOrigin(listed, 'https://shop.example')).toBe('https://shop.example');
    expect(await allowOrigin(listed, 'https://shop.example', 'OPTIONS')).toBe('https://shop.example');
    expect(await allowOrigin(listed, 'http://localhost:5173')).toBe('http://localhost:5173');
    expect(await allowOrigin(listed, 'https://evil.example')).toBeNull();
    expect(await allowOrigin(listed, 'https://shop.example.evil.example')).toBeNull();
    expect(await allowOrigin(listed, 'null')).toBeNull();
  });

  it('in sandbox mode allows any real origin for local development, but never null', async () => {
    expect(await allowOrigin(sandbox, 'http://localhost:3000')).toBe('http://localhost:3000');
    expect(await allowOrigin(sandbox, 'null')).toBeNull();
    expect(await allowOrigin(sandbox, 'null', 'OPTIONS')).toBeNull();
  });
});
