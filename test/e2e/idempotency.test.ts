import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { loadSigningKeyPem } from '../../src/platform/auth/signing-key.js';
import { AccessTokens } from '../../src/platform/auth/tokens.js';
import { unauthenticated, unprocessable } from '../../src/platform/errors.js';
import { ok } from '../../src/platform/http/envelope.js';
import { RateLimits } from '../../src/platform/http/rate-limits.js';
import { createHttpApp } from '../../src/platform/http/server.js';
import { installIdempotency } from '../../src/platform/idempotency/idempotency.hook.js';
import { fingerprintRequest } from '../../src/platform/idempotency/idempotency.rules.js';
import { IdempotencyStore, type KeyedRequest } from '../../src/platform/idempotency/idempotency.store.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// Short enough that the tests can watch it lapse and be renewed; long enough for a busy
// PGlite (one connection for everyone) to renew it in time.
const LEASE_MS = 1_000;

let db: TestDatabase;
let config: Config;
let dataDir: string;
let tokens: AccessTokens;
let store: IdempotencyStore;
let app: FastifyInstance;
let baseUrl: string;

/**
 * The app under test: the project's own gateway with a money-moving route of the test's
 * own. The route writes one row per execution in a transaction, so every double
 * execution shows up as a second row; its answer carries a fresh id and time, so a
 * replay that re-ran the handler could not be byte-identical.
 */
async function buildApp(): Promise<FastifyInstance> {
  const logger = createLogger(config);
  const limits = new RateLimits(config.rateLimits);
  const http = await createHttpApp({ config, logger, tokens, limits });
  installIdempotency(http, store);
  http.post(
    '/test/accounts/:account/charges',
    {
      config: { auth: 'required', idempotent: true },
      schema: {
        params: Type.Object({ account: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }) }),
        body: Type.Object(
          { amount: Type.Integer({ minimum: 1 }), note: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
      },
      preHandler: async (request) => {
        if (request.headers['x-test-outcome'] === 'prehandler-crash')
          throw new Error('a later preHandler broke');
      },
    },
    async (request, reply) => {
      const { account } = request.params as { account: string };
      const { amount } = request.body as { amount: number };
      const delayMs = Number(request.headers['x-test-delay-ms'] ?? 0);
      if (delayMs > 0) await sleep(delayMs);
      const outcome = request.headers['x-test-outcome'];
      if (outcome === 'decline') throw unprocessable('card_declined', 'the card was declined');
      // What a split-out service answers when the token expired after the gateway accepted it.
      if (outcome === 'token-expired-downstream')
        throw unauthenticated('invalid_token', 'the access token is invalid or expired');
      const charge = await db.database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ id: string }>`
          INSERT INTO test_charges (user_id, account, amount)
          VALUES (${request.actor!.userId}, ${account}, ${amount}) RETURNING id::text AS id`.execute(trx);
        if (outcome === 'crash') throw new Error('the gateway fell over after the write');
        return rows[0]!;
      });
      return reply.status(201).send(
        ok('charged', {
          id: charge.id,
          account,
          amount,
          nonce: randomUUID(),
          at: new Date().toISOString(),
        }),
      );
    },
  );
  await http.ready();
  return http;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-idempotency-'));
  config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1',
    RATE_LIMIT_PER_USER: '100000',
  });
  db = await createTestDatabase();
  await sql`CREATE TABLE test_charges (
    id bigserial PRIMARY KEY,
    user_id text NOT NULL,
    account text NOT NULL,
    amount integer NOT NULL
  )`.execute(db.database.db);
  tokens = await AccessTokens.create(loadSigningKeyPem(undefined, dataDir), {
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    ttlMs: config.auth.accessTokenTtlMs,
  });
  store = new IdempotencyStore(db.database.db, { leaseMs: LEASE_MS });
  app = await buildApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Caller {
  id: string;
  token: string;
}

async function newCaller(): Promise<Caller> {
  const id = randomUUID();
  return { id, token: (await tokens.issue({ userId: id, role: 'buyer' }, randomUUID())).token };
}

interface Sent {
  status: number;
  headers: Headers;
  text: string;
  code: string | undefined;
  replayed: boolean;
}

async function charge(
  caller: Caller,
  options: {
    key?: string;
    body?: unknown;
    raw?: string;
    account?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<Sent> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${caller.token}`,
    'content-type': 'application/json',
    ...options.headers,
  };
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  const response = await fetch(`${baseUrl}/test/accounts/${options.account ?? 'main'}/charges`, {
    method: 'POST',
    headers,
    body: options.raw ?? JSON.stringify(options.body ?? { amount: 500 }),
    signal: options.signal,
  });
  const text = await response.text();
  const code = response.headers.get('content-type')?.includes('json')
    ? (JSON.parse(text) as { meta: { code?: string } }).meta.code
    : undefined;
  return {
    status: response.status,
    headers: response.headers,
    text,
    code,
    replayed: response.headers.get('idempotent-replayed') === 'true',
  };
}

async function chargesOf(caller: Caller): Promise<number> {
  const { rows } = await sql<{ count: string }>`
    SELECT count(*)::text AS count FROM test_charges WHERE user_id = ${caller.id}`.execute(db.database.db);
  return Number(rows[0]!.count);
}

const keyedRequest = (caller: Caller, key: string, body: unknown, account = 'main'): KeyedRequest => {
  const url = `/test/accounts/${account}/charges`;
  return {
    scope: caller.id,
    key,
    method: 'POST',
    path: url,
    fingerprint: fingerprintRequest('POST', url, body),
  };
};

/** Polls until the caller's key has been completed, so a retry will be a replay. */
async function waitUntilCompleted(caller: Caller, key: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if ((await store.read(caller.id, key))?.record.status === 'completed') return;
    await sleep(25);
  }
  throw new Error('the first request never completed');
}

describe('Idempotency-Key on a money-moving POST', () => {
  it('replays the first response byte for byte and charges once', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const first = await charge(caller, { key, body: { amount: 500, note: 'coffee' } });
    expect(first.status).toBe(201);
    expect(first.replayed).toBe(false);

    const again = await charge(caller, { key, body: { amount: 500, note: 'coffee' } });
    expect(again.status).toBe(201);
    expect(again.replayed).toBe(true);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));

    // The same JSON written differently is the same request.
    const reordered = await charge(caller, { key, raw: '{ "note": "coffee",\n  "amount": 500 }' });
    expect(reordered.replayed).toBe(true);
    expect(reordered.text).toBe(first.text);
    expect(await chargesOf(caller)).toBe(1);
  });

  it('runs every request that carries no key', async () => {
    const caller = await newCaller();
    const first = await charge(caller);
    const second = await charge(caller);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.replayed || second.replayed).toBe(false);
    expect(await chargesOf(caller)).toBe(2);
  });

  it('refuses the key with a 422 for a different body or path, and still replays the first', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const first = await charge(caller, { key, body: { amount: 500 } });
    expect(first.status).toBe(201);

    for (const other of [
      { body: { amount: 501 } },
      { body: { amount: 500, note: 'x' } },
      { account: 'savings' },
    ]) {
      const refused = await charge(caller, { key, ...other });
      expect(refused.status).toBe(422);
      expect(refused.code).toBe('idempotency_key_reused');
      expect(JSON.parse(refused.text).meta.success).toBe(false);
      expect(refused.replayed).toBe(false);
    }
    expect((await charge(caller, { key, body: { amount: 500 } })).text).toBe(first.text);
    expect(await chargesOf(caller)).toBe(1);
  });

  it('lets exactly one of 100 concurrent duplicates run; the others get 409 or the same answer', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const all = await Promise.all(
      Array.from({ length: 100 }, () => charge(caller, { key, headers: { 'x-test-delay-ms': '500' } })),
    );
    expect(await chargesOf(caller)).toBe(1);

    const succeeded = all.filter((res) => res.status === 201);
    const refused = all.filter((res) => res.status !== 201);
    expect(succeeded.filter((res) => !res.replayed)).toHaveLength(1);
    expect(new Set(succeeded.map((res) => res.text)).size).toBe(1);
    expect(refused.length).toBeGreaterThan(0);
    for (const res of refused) {
      expect(res.status).toBe(409);
      expect(res.code).toBe('idempotency_request_in_flight');
    }

    const later = await charge(caller, { key });
    expect(later.replayed).toBe(true);
    expect(later.text).toBe(succeeded[0]!.text);
  });

  it('releases the key when the first attempt ends in a 5xx, so a retry with it runs', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const crashed = await charge(caller, { key, headers: { 'x-test-outcome': 'crash' } });
    expect(crashed.status).toBe(500);
    expect(await chargesOf(caller)).toBe(0);
    expect(await store.read(caller.id, key)).toBeUndefined();

    const retried = await charge(caller, { key });
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBe(false);
    expect((await charge(caller, { key })).text).toBe(retried.text);
    expect(await chargesOf(caller)).toBe(1);
  });

  it('releases the key when the request was refused 401 after the claim, so a retry with a new token runs', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const refused = await charge(caller, { key, headers: { 'x-test-outcome': 'token-expired-downstream' } });
    expect(refused.status).toBe(401);
    expect(await store.read(caller.id, key)).toBeUndefined();

    const retried = await charge(caller, { key });
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBe(false);
    expect(await chargesOf(caller)).toBe(1);
  });

  it('releases the key when a preHandler after the claim fails', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const failed = await charge(caller, { key, headers: { 'x-test-outcome': 'prehandler-crash' } });
    expect(failed.status).toBe(500);
    expect(await store.read(caller.id, key)).toBeUndefined();
    expect((await charge(caller, { key })).status).toBe(201);
    expect(await chargesOf(caller)).toBe(1);
  });

  it('stores a 4xx answer and replays it like a success', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const declined = await charge(caller, { key, headers: { 'x-test-outcome': 'decline' } });
    expect(declined.status).toBe(422);
    expect(declined.code).toBe('card_declined');

    // The outcome header is not part of the request's identity: this is the same request.
    const retried = await charge(caller, { key });
    expect(retried.status).toBe(422);
    expect(retried.replayed).toBe(true);
    expect(retried.text).toBe(declined.text);
    expect(await chargesOf(caller)).toBe(0);
  });

  it('keeps the keys of different callers apart', async () => {
    const [ana, ben] = [await newCaller(), await newCaller()];
    const key = 'shared-key-1';
    const forAna = await charge(ana, { key });
    const forBen = await charge(ben, { key });
    expect([forAna.status, forBen.status]).toEqual([201, 201]);
    expect(forAna.replayed || forBen.replayed).toBe(false);
    expect(forBen.text).not.toBe(forAna.text);
    expect([await chargesOf(ana), await chargesOf(ben)]).toEqual([1, 1]);
  });

  it('answers 409 while the first request runs, even after the client that sent it hung up', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const hangUp = new AbortController();
    const abandoned = charge(caller, { key, headers: { 'x-test-delay-ms': '600' }, signal: hangUp.signal });
    await sleep(150);
    hangUp.abort();
    await expect(abandoned).rejects.toThrow();

    const meanwhile = await charge(caller, { key });
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.code).toBe('idempotency_request_in_flight');

    // The work went on without the client and its answer was kept for the retry.
    await waitUntilCompleted(caller, key);
    const retried = await charge(caller, { key });
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBe(true);
    expect(await chargesOf(caller)).toBe(1);
  });

  it('renews the lease of a request that runs longer than the lease', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const slow = charge(caller, { key, headers: { 'x-test-delay-ms': String(LEASE_MS * 2.5) } });
    await sleep(LEASE_MS * 1.7);
    const duplicate = await charge(caller, { key });
    expect(duplicate.status).toBe(409);
    const first = await slow;
    expect(first.status).toBe(201);
    expect((await charge(caller, { key })).text).toBe(first.text);
    expect(await chargesOf(caller)).toBe(1);
  });
});

describe('a key whose holder died', () => {
  it('is taken over by exactly one retry once its lease lapses, and the dead holder cannot overwrite it', async () => {
    const caller = await newCaller();
    const key = randomUUID();
    const body = { amount: 500 };
    // Another instance claimed the key and crashed: no heartbeat, no answer.
    const deadInstance = new IdempotencyStore(db.database.db, { leaseMs: 300 });
    const deadClaim = await deadInstance.claim(keyedRequest(caller, key, body));
    expect(deadClaim).toBeDefined();

    expect((await charge(caller, { key, body })).status).toBe(409);
    // A different request still may not use the key, lease or no lease.
    await sleep(400);
    expect((await charge(caller, { key, body: { amount: 1 } })).status).toBe(422);

    const pending = Promise.all(
      Array.from({ length: 30 }, () => charge(caller, { key, body, headers: { 'x-test-delay-ms': '400' } })),
    );
    // While the new holder runs, the dead one wakes up: its claim is gone, so nothing it
    // does can overwrite, free or prolong the key.
    for (let i = 0; (await store.read(caller.id, key))?.row.lock_id === deadClaim!.lockId; i += 1) {
      if (i > 100) throw new Error('nobody took the key over');
      await sleep(10);
    }
    const zombie = { status: 201, contentType: 'text/plain', body: 'zombie' };
    expect(await deadInstance.complete(deadClaim!, zombie)).toBe(false);
    expect(await deadInstance.release(deadClaim!)).toBe(false);
    expect(await deadInstance.extendLease(deadClaim!)).toBe(false);
    expect((await store.read(caller.id, key))?.record.status).toBe('in_flight');

    const retries = await pending;
    expect(await chargesOf(caller)).toBe(1);
    const fresh = retries.filter((res) => res.status === 201 && !res.replayed);
    expect(fresh).toHaveLength(1);
    for (const res of retries) {
      if (res.status === 201) expect(res.text).toBe(fresh[0]!.text);
      else expect(res.code).toBe('idempotency_request_in_flight');
    }
    expect((await charge(caller, { key, body })).text).toBe(fresh[0]!.text);
  });

  it('cannot be taken over twice by concurrent take-overs', async () => {
    const caller = await newCaller();
    const request = keyedRequest(caller, randomUUID(), { amount: 7 });
    const shortLease = new IdempotencyStore(db.database.db, { leaseMs: 50 });
    expect(await shortLease.claim(request)).toBeDefined();
    await sleep(100);
    const takers = await Promise.all(Array.from({ length: 20 }, () => store.takeOver(request)));
    expect(takers.filter(Boolean)).toHaveLength(1);
    expect(await store.takeOver(request)).toBeUndefined();
  });
});

describe('the Idempotency-Key header', () => {
  it.each([
    ['empty', ''],
    ['256 characters long', 'k'.repeat(256)],
    ['holding a space', 'two words'],
  ])('is refused with a 400 naming it when %s, before any work', async (_, key) => {
    const caller = await newCaller();
    const refused = await charge(caller, { key });
    expect(refused.status).toBe(400);
    expect(refused.code).toBe('validation_failed');
    expect(JSON.parse(refused.text).meta.errors[0].field).toBe('Idempotency-Key');
    expect(await chargesOf(caller)).toBe(0);
  });

  it('may be 255 visible ASCII characters long', async () => {
    const caller = await newCaller();
    const key = `${'!~'.repeat(127)}k`;
    expect((await charge(caller, { key })).status).toBe(201);
    expect((await charge(caller, { key })).replayed).toBe(true);
  });

  it('needs an authenticated caller: without a token the route answers 401 and claims nothing', async () => {
    const key = randomUUID();
    const response = await fetch(`${baseUrl}/test/accounts/main/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ amount: 500 }),
    });
    expect(response.status).toBe(401);
    const { rows } = await sql<{ n: string }>`
      SELECT count(*)::text AS n FROM idempotency_keys WHERE key = ${key}`.execute(db.database.db);
    expect(rows[0]!.n).toBe('0');
  });

  it('cannot be enabled on a route that does not require authentication', async () => {
    const other = await createHttpApp({
      config,
      logger: createLogger(config),
      tokens,
      limits: new RateLimits(config.rateLimits),
    });
    installIdempotency(other, store);
    try {
      expect(() =>
        other.post('/open', { config: { auth: 'optional', idempotent: true } }, async () => 'ok'),
      ).toThrow(/must set auth: 'required'/);
    } finally {
      await other.close();
    }
  });
});

describe('retention', () => {
  it('keeps a key at least 24 hours, then forgets it; cleanup deletes only expired keys', async () => {
    const caller = await newCaller();
    const [key, kept] = [randomUUID(), randomUUID()];
    expect((await charge(caller, { key, body: { amount: 500 } })).status).toBe(201);
    expect((await charge(caller, { key: kept, body: { amount: 500 } })).status).toBe(201);
    const found = await store.read(caller.id, key);
    const { completed_at, expires_at } = found!.row;
    expect(expires_at.getTime() - completed_at!.getTime()).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);

    const expire = (k: string) =>
      sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second', created_at = now() - interval '2 days'
          WHERE scope = ${caller.id} AND key = ${k}`.execute(db.database.db);

    // Expired but not yet cleaned up: the key is free again, for any request.
    await expire(key);
    const reusedLater = await charge(caller, { key, body: { amount: 900 } });
    expect(reusedLater.status).toBe(201);
    expect(reusedLater.replayed).toBe(false);

    await expire(key);
    expect(await store.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect(await store.read(caller.id, key)).toBeUndefined();
    expect(await store.read(caller.id, kept)).toBeDefined();
    expect(await chargesOf(caller)).toBe(3);
  });
});
