import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushTraces } from '../../src/platform/tracing/tracing.js';
import { eventually } from '../helpers/eventually.js';
import { type ReceivedSpan, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { market, type PaymentJson, topUp } from '../helpers/payments.js';
import { testDatabase } from '../helpers/services.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

const SERVER = 2;
const CLIENT = 3;

let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
let app: TestApp;
let hooks: Server;
let hookUrl: string;
const hookTraceparents: string[] = [];
let midtrans: Server;
const midtransTraceparents: string[] = [];
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  hooks = createServer((request, response) => {
    hookTraceparents.push(String(request.headers.traceparent ?? ''));
    request.resume();
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`;
  // Midtrans's Snap API as far as a checkout needs it, noting the traceparent it is sent.
  midtrans = createServer((request, response) => {
    midtransTraceparents.push(String(request.headers.traceparent ?? ''));
    request.resume();
    response
      .writeHead(201, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: 'snap-token', redirect_url: 'https://snap.example/pay' }));
  });
  await new Promise<void>((resolve) => midtrans.listen(0, '127.0.0.1', resolve));
  const midtransUrl = `http://127.0.0.1:${(midtrans.address() as AddressInfo).port}`;
  // The split shape in this process: a gateway reaching the payments service over real gRPC.
  const split = process.env.MAMLAKA_TEST_SPLIT;
  process.env.MAMLAKA_TEST_SPLIT = '1';
  try {
    app = await startTestApp(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        WEBHOOK_ALLOW_LIST: '127.0.0.1',
        WEBHOOK_DELIVERY_INTERVAL: '100ms',
        LOG_LEVEL: 'debug',
        MIDTRANS_SERVER_KEY: 'SB-Mid-server-tracing',
        MIDTRANS_SNAP_URL: midtransUrl,
        MIDTRANS_API_URL: midtransUrl,
        // One checkout transaction at a time: concurrent wallet checkouts queue and commit
        // together, and the test below checks that each keeps its own trace.
        CHECKOUT_GROUP_SLOTS: '1',
      },
      undefined,
      { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
    );
  } finally {
    if (split === undefined) delete process.env.MAMLAKA_TEST_SPLIT;
    else process.env.MAMLAKA_TEST_SPLIT = split;
  }
});
afterAll(async () => {
  await app?.close();
  hooks?.close();
  midtrans?.close();
  await otlp?.close();
});

/** The spans of one trace once `done` holds for them (the exporter sends in batches). */
async function traceOf(traceId: string, done: (spans: ReceivedSpan[]) => boolean) {
  return eventually(
    async () => {
      await flushTraces();
      return otlp.spans.filter((span) => span.traceId === traceId);
    },
    done,
    15_000,
    100,
  );
}

describe('tracing (OTLP) through the split shape', () => {
  it('makes one connected trace of a checkout: gateway, gRPC, service, SQL, events, webhook', async () => {
    const { buyer, product } = await market(app, { funds: '100000' });
    const registered = await app.api('POST', '/webhooks', {
      token: buyer.token,
      body: { url: hookUrl, event_types: ['payment.succeeded'] },
    });
    expect(registered.status).toBe(201);

    // The caller's own trace is continued, not replaced.
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const paid = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
      body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
    });
    expect(paid.status).toBe(201);

    const spans = await traceOf(traceId, (found) => found.some((span) => span.name === 'webhook deliver'));
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const childrenOf = (parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);

    const edge = spans.find((span) => span.kind === SERVER && span.name === 'POST /payments');
    expect(edge, JSON.stringify(spans.map((span) => span.name))).toBeDefined();
    expect(edge!.parentSpanId).toBe(callerSpan);
    expect(edge!.attributes['http.response.status_code']).toBe(201);

    const rpc = childrenOf(edge!).find(
      (span) => span.kind === CLIENT && span.attributes['rpc.system'] === 'grpc',
    );
    expect(rpc, 'the gateway calls the payments service over gRPC').toBeDefined();
    const served = childrenOf(rpc!).find((span) => span.kind === SERVER);
    expect(served, 'the service continues the trace from the gRPC metadata').toBeDefined();
    expect(String(rpc!.attributes['rpc.method'])).toMatch(
      new RegExp(`^/mamlaka\\.payments\\.v1\\.\\w+/${served!.name}$`),
    );

    // The service's SQL, below its server span; statements without their values.
    const queries = spans.filter((span) => span.name === 'db.query');
    const below = (span: ReceivedSpan, ancestor: ReceivedSpan): boolean =>
      span.parentSpanId === ancestor.spanId ||
      (byId.has(span.parentSpanId) && below(byId.get(span.parentSpanId)!, ancestor));
    expect(queries.filter((query) => below(query, served!)).length).toBeGreaterThan(2);
    const statements = queries.map((query) => String(query.attributes['db.statement']));
    expect(statements.some((statement) => /insert into "outbox_events"/i.test(statement))).toBe(true);
    expect(statements.join('\n')).not.toContain(product.id);
    // A wallet checkout reads its product once, in its transaction (its quote), not once
    // before it too.
    const productReads = queries
      .filter((query) => below(query, served!))
      .map((query) => String(query.attributes['db.statement']))
      .filter((statement) => /^select .* from "products" where "id" in/i.test(statement));
    expect(productReads).toHaveLength(1);

    // One trace: every span hangs, through its parents, from the caller's span.
    for (const span of spans) {
      let at: ReceivedSpan | undefined = span;
      while (at && at.parentSpanId !== callerSpan) at = byId.get(at.parentSpanId);
      expect(at, `${span.name} is connected to the request`).toBeDefined();
    }

    // The events the checkout wrote are handled in its trace; the relay's batch links to it.
    const handled = spans.filter((span) => span.name.endsWith(' handle'));
    expect(handled.length).toBeGreaterThan(0);
    const relayed = await eventually(
      async () => {
        await flushTraces();
        return otlp.spans.filter(
          (span) => span.name === 'outbox publish' && span.links.some((link) => link.traceId === traceId),
        );
      },
      (found) => found.length > 0,
    );
    expect(relayed[0]!.traceId).not.toBe(traceId);

    // The webhook request carries the delivery span's traceparent.
    const delivery = spans.find((span) => span.name === 'webhook deliver')!;
    expect(hookTraceparents).toContain(`00-${traceId}-${delivery.spanId}-01`);
  });

  it('sends the request’s traceparent to Midtrans', async () => {
    const { buyer, product } = await market(app, { funds: '0' });
    const traceId = randomBytes(16).toString('hex');
    const created = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: { product_id: product.id, quantity: 1, payment_method: 'midtrans' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(midtransTraceparents.some((header) => header.split('-')[1] === traceId)).toBe(true);
  });

  it('puts trace_id and span_id on log lines written inside a span', async () => {
    const traceId = randomBytes(16).toString('hex');
    await app.api('GET', '/products', {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    const lines = logLines.filter((line) => line.trace_id === traceId);
    expect(lines.length, JSON.stringify(logLines.slice(-5))).toBeGreaterThan(0);
    expect(lines.every((line) => typeof line.span_id === 'string')).toBe(true);
  });

  it('writes the events of checkouts committed together each in its own trace', async () => {
    const { product } = await market(app, { stock: 100, price: '1000' });
    const buyers = await Promise.all(Array.from({ length: 6 }, () => signUp(app)));
    for (const buyer of buyers) await topUp(app, buyer.token, '100000');
    const db = app.db.database.db;
    // A burst of six: the first runs alone, the others queue behind it and commit together.
    // Requests reach the service over HTTP and gRPC, so a burst is tried again until one did.
    // On PGlite's one connection each request's own reads wait for the running checkout, so
    // they reach the queue after it and rarely meet: there the traces alone are checked.
    for (let attempt = 1; ; attempt++) {
      const traces = buyers.map(() => randomBytes(16).toString('hex'));
      const paid = await Promise.all(
        buyers.map((buyer, i) =>
          app.api<PaymentJson>('POST', '/payments', {
            token: buyer.token,
            headers: { traceparent: `00-${traces[i]}-${randomBytes(8).toString('hex')}-01` },
            body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
          }),
        ),
      );
      expect(paid.map((r) => r.body.results.status)).toEqual(buyers.map(() => 'succeeded'));
      const ids = paid.map((r) => r.body.results.id);
      const { rows } = await sql<{ id: string; tx: string; trace: string | null }>`
        SELECT p.id, p.xmin::text AS tx, e.trace_context AS trace
        FROM payments p JOIN outbox_events e ON e.aggregate = 'payment:' || p.id::text
        WHERE p.id = ANY(${ids}::uuid[])`.execute(db);
      expect(rows).toHaveLength(12);
      for (const [i, id] of ids.entries()) {
        const own = rows.filter((row) => row.id === id);
        expect(
          own.every((row) => row.trace?.split('-')[1] === traces[i]),
          `payment ${i}`,
        ).toBe(true);
      }
      if (testDatabase() !== 'postgres' || new Set(rows.map((row) => row.tx)).size < ids.length) break;
      if (attempt === 5) throw new Error('five bursts of six checkouts never committed two together');
    }
  });

  it('starts a trace of its own for a request without traceparent', async () => {
    const response = await app.api('GET', '/products');
    expect(response.status).toBe(200);
    // By its request id: the previous test's GET /products (with a parent) may be exported late.
    const requestId = response.headers.get('x-request-id');
    const spans = await eventually(
      async () => {
        await flushTraces();
        return otlp.spans.filter(
          (span) => span.name === 'GET /products' && span.attributes['mamlaka.request_id'] === requestId,
        );
      },
      (found) => found.length > 0,
    );
    expect(spans[0]!.parentSpanId).toBe('');
    expect(spans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
