// What the soak and chaos runs stand on: a database of their own on the local PostgreSQL
// (dropped at the end), a JetStream stream and Redis prefix of their own, the split shape
// as real processes, a webhook receiver, and a cast created through the public API.
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { deleteStream } from '../../test/helpers/nats.js';
import { freePort, type SplitDeployment, startSplitDeployment } from '../split-deployment.js';

export interface Services {
  /** Any database on the server; only host, port and user are used. */
  postgresUrl: string;
  redisUrl: string;
  natsUrl: string;
}

export const services = (): Services => ({
  postgresUrl: process.env.OPS_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.OPS_REDIS_URL ?? 'redis://127.0.0.1:6379',
  natsUrl: process.env.OPS_NATS_URL ?? 'nats://127.0.0.1:4222',
});

const withDatabase = (url: string, name: string) => {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
};

export async function onServer<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Receives webhooks and counts each event id it heard, so duplicates and gaps show. */
export interface WebhookReceiver {
  url: string;
  seen: Map<string, number>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const seen = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const id = request.headers['mamlaka-event-id'];
      if (typeof id === 'string') seen.set(id, (seen.get(id) ?? 0) + 1);
      response.writeHead(200).end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Stack {
  databaseUrl: string;
  deployment: SplitDeployment;
  receiver: WebhookReceiver;
  /** The environment every process got (for the CLI's `ledger check`). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Creates `database` afresh (dropping a leftover of an earlier run) and starts `instances`
 * of every role on it. close() stops everything and drops the database, also after a failure.
 */
export async function startStack(database: string, instances: number): Promise<Stack> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`not a plain database name: ${database}`);
  const { postgresUrl, redisUrl, natsUrl } = services();
  await onServer(postgresUrl, async (client) => {
    // The name was checked above, so it can be written into the statements as is.
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database}`);
  });
  const databaseUrl = withDatabase(postgresUrl, database);
  const stream = `OPS_${database.toUpperCase()}_${Date.now()}`;
  const receiver = await startWebhookReceiver();
  const unlimited = '10000000';
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    NATS_URL: natsUrl,
    NATS_STREAM: stream,
    RATE_LIMIT_REDIS_PREFIX: `ops:${database}:${Date.now()}`,
    RATE_LIMIT_LOGIN_PER_IP: unlimited,
    RATE_LIMIT_LOGIN_FAILURES: unlimited,
    RATE_LIMIT_REGISTER_PER_IP: unlimited,
    RATE_LIMIT_PER_USER: unlimited,
    DEFAULT_PAYMENT_METHOD: 'wallet',
    PLATFORM_FEE_BPS: '250',
    WEBHOOK_ALLOW_LIST: '127.0.0.1',
    WEBHOOK_DELIVERY_INTERVAL: '500ms',
    // Ten processes on one machine cannot share one metrics port; memory is read from /proc.
    METRICS_PORT: '0',
    // A key whose holder was killed is free again soon (the default is a minute).
    IDEMPOTENCY_LEASE: '2s',
    LOG_LEVEL: 'warn',
    // A shorter token life (OPS_ACCESS_TOKEN_TTL, e.g. 2m) lets a short run meet the moment
    // every account's token expires and all of them sign in again, as a soak meets at 15 min.
    ...(process.env.OPS_ACCESS_TOKEN_TTL ? { ACCESS_TOKEN_TTL: process.env.OPS_ACCESS_TOKEN_TTL } : {}),
  };
  let deployment: SplitDeployment | undefined;
  const close = async () => {
    if (deployment) {
      const gone = deployment.all.filter((member) => {
        const pid = member.pid();
        return pid === undefined || !existsSync(`/proc/${pid}`);
      });
      if (gone.length)
        console.error(
          `processes not running at the end: ${gone.map((m) => `${m.role} #${m.index}`).join(', ')}`,
        );
      // Their output (warnings and errors only) is kept for the post-mortem.
      const logFile = `/tmp/mamlaka-${database}-processes.log`;
      writeFileSync(logFile, deployment.all.map((member) => member.output()).join('\n'));
      console.error(`process output: ${logFile}`);
    }
    await deployment?.stop().catch(() => {});
    await receiver.close().catch(() => {});
    await deleteStream(natsUrl, stream).catch(() => {});
    await onServer(postgresUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    ).catch((error: unknown) => console.error(`could not drop ${database}:`, error));
  };
  try {
    deployment = await startSplitDeployment(env, instances);
  } catch (error) {
    await close();
    throw error;
  }
  return { databaseUrl, deployment, receiver, env, close };
}

/** A signed-in account; the load renews `token` by signing in again when it expires. */
export interface Actor {
  id: string;
  token: string;
  email: string;
  password: string;
}

export interface Cast {
  seller: Actor;
  buyers: Actor[];
  productIds: string[];
  initialStock: number;
  webhookEndpointId: string;
}

/** Refusals with a Retry-After (503: password hashing busy) that setting up waits out. */
const SETUP_RETRIES = 10;

export async function post(base: string, path: string, body: unknown, expected: number, token?: string) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    if (response.status === 503 && retryAfter > 0 && attempt < SETUP_RETRIES) {
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + Math.random() * 1000));
      continue;
    }
    if (response.status !== expected)
      throw new Error(`POST ${path}: expected ${expected}, got ${response.status}: ${text.slice(0, 400)}`);
    return (JSON.parse(text) as { results: Record<string, unknown> }).results;
  }
}

async function account(base: string, role: 'buyer' | 'seller', n: number): Promise<Actor> {
  const email = `ops-${role}-${n}-${randomUUID()}@example.com`;
  const password = 'ops-password-12345';
  await post(
    base,
    '/users/register',
    { name: `Ops ${role} ${n}`, email, role, password, confirm_password: password },
    201,
  );
  const login = await post(base, '/users/login', { email, password }, 200);
  return { id: String(login.id), token: String(login.token), email, password };
}

/** One seller (whose webhook endpoint hears every payment event), products, funded buyers. */
export async function createCast(
  base: string,
  receiverUrl: string,
  sizes = { products: 20, buyers: 32, stock: 1_000_000 },
): Promise<Cast> {
  const seller = await account(base, 'seller', 0);
  const endpoint = await post(base, '/webhooks', { url: receiverUrl, event_types: ['*'] }, 201, seller.token);
  const productIds: string[] = [];
  for (let n = 0; n < sizes.products; n++) {
    const product = await post(
      base,
      '/products',
      {
        name: `Ops product ${n}`,
        description: 'Soak and chaos',
        price: String(1000 + n * 100),
        stock: sizes.stock,
      },
      201,
      seller.token,
    );
    productIds.push(String(product.id));
  }
  const buyers = await Promise.all(
    Array.from({ length: sizes.buyers }, async (_, n) => {
      const buyer = await account(base, 'buyer', n);
      await post(
        base,
        '/wallet/top-ups',
        { amount: '1000000000000', currency: 'IDR', method: 'test' },
        201,
        buyer.token,
      );
      return buyer;
    }),
  );
  return { seller, buyers, productIds, initialStock: sizes.stock, webhookEndpointId: String(endpoint.id) };
}
