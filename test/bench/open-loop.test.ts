import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive, httpRequest } from '../../bench/open-loop.js';

let server: Server;
let url: string;
const seen: { method: string; url: string; body: string; authorization?: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({
        method: request.method!,
        url: request.url!,
        body,
        authorization: request.headers.authorization,
      });
      if (request.url === '/refuse')
        return response.writeHead(503, { 'retry-after': '1' }).end('{"busy":true}');
      // Without a length, Node answers chunked: the parser must find the end of those too.
      if (request.url === '/chunked') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"status":');
        return response.end('"succeeded"}');
      }
      const answer = JSON.stringify({ echo: body });
      response
        .writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
        .end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('the open-loop load generator', () => {
  it('sends every request due at the fixed rate, with its headers and body, and counts each answer', async () => {
    seen.length = 0;
    const result = await drive(
      {
        url,
        request: (slot) =>
          httpRequest(
            url,
            'POST',
            `/pay?slot=${slot}`,
            { authorization: `Bearer ${slot}` },
            '{"quantity":1}',
          ),
        accept: (status, body) =>
          status === 201 && body.toString() === JSON.stringify({ echo: '{"quantity":1}' }),
      },
      { ratePerSec: 200, seconds: 1, connections: 4 },
    );
    expect(result).toMatchObject({ due: 200, succeeded: 200, errors: 0 });
    expect(result.rejected).toEqual({});
    expect(seen).toHaveLength(200);
    expect(seen.every((r) => r.method === 'POST' && r.body === '{"quantity":1}')).toBe(true);
    // Each connection keeps its slot: the header and the path it was built with agree.
    expect(seen.every((r) => r.url === `/pay?slot=${r.authorization!.slice('Bearer '.length)}`)).toBe(true);
    expect(new Set(seen.map((r) => r.url)).size).toBeLessThanOrEqual(4);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  });

  it('counts answers that are not a success by status, apart from the successes', async () => {
    const result = await drive(
      { url, request: () => httpRequest(url, 'GET', '/refuse') },
      { ratePerSec: 50, seconds: 1, connections: 2 },
    );
    expect(result).toMatchObject({ due: 50, succeeded: 0, rejected: { 503: 50 }, errors: 0 });
  });

  it('reads chunked answers to their end on a kept-alive connection', async () => {
    const result = await drive(
      {
        url,
        request: () => httpRequest(url, 'GET', '/chunked'),
        accept: (status, body) => status === 200 && body.includes('"succeeded"'),
      },
      { ratePerSec: 100, seconds: 1, connections: 1 },
    );
    expect(result).toMatchObject({ due: 100, succeeded: 100, errors: 0 });
    expect(result.rejected).toEqual({});
  });

  it('runs closed-loop on a fixed number of connections when no rate is given', async () => {
    seen.length = 0;
    const result = await drive(
      { url, request: () => httpRequest(url, 'GET', '/peak') },
      { seconds: 1, connections: 3 },
    );
    expect(result.errors).toBe(0);
    expect(result.succeeded).toBe(result.due);
    expect(result.succeeded).toBeGreaterThan(3);
    expect(seen).toHaveLength(result.due);
  });

  it('counts a request whose connection cannot be opened as an error, not a success', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    const result = await drive(
      { url: closedUrl, request: () => httpRequest(closedUrl, 'GET', '/') },
      { ratePerSec: 20, seconds: 1, connections: 2, drainMs: 500 },
    );
    expect(result.succeeded).toBe(0);
    expect(result.errors).toBe(20);
  });
});
