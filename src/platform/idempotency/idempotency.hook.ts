import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/policy.js';
import { conflict, unprocessable } from '../errors.js';
import {
  decide,
  fingerprintRequest,
  IDEMPOTENCY_KEY_HEADER,
  keepsOutcome,
  parseIdempotencyKey,
  REPLAYED_HEADER,
} from './idempotency.rules.js';
import type { Claim, IdempotencyRow, IdempotencyStore, KeyedRequest } from './idempotency.store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Honour an `Idempotency-Key` header: a retry with the same key and request gets the
     * first response again instead of running twice. The route must require auth.
     */
    idempotent?: boolean;
  }
}

/** A request still running after this long is presumed stuck: its lease stops being renewed. */
const MAX_HOLD_MS = 15 * 60_000;
/** Each retry follows a record vanishing or a lost take-over race; two are plenty. */
const MAX_CLAIM_ATTEMPTS = 3;

interface Hold {
  claim: Claim;
  heartbeat: NodeJS.Timeout | undefined;
  settled: boolean;
}

const reused = () =>
  unprocessable(
    'idempotency_key_reused',
    'this Idempotency-Key was already used for a different request; use a new key for a new request',
  );
const inFlight = () =>
  conflict(
    'idempotency_request_in_flight',
    'a request with this Idempotency-Key is still being processed; retry once it has finished',
  );

function replay(reply: FastifyReply, row: IdempotencyRow): FastifyReply {
  reply.code(row.response_status!).header(REPLAYED_HEADER, 'true');
  if (row.response_content_type !== null) reply.header('content-type', row.response_content_type);
  // A string payload with its content type set goes out as is: no serializer touches it.
  const body = row.response_body === '' && row.response_content_type === null ? undefined : row.response_body;
  return reply.send(body);
}

/** The payload as stored text, or undefined for one that cannot be replayed (a stream). */
function storable(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload;
  if (payload === null || payload === undefined) return '';
  return undefined;
}

/**
 * Makes the routes whose `config.idempotent` is set honour an `Idempotency-Key` header
 * (Stripe's semantics), with the keys kept in `store` so every instance sees them:
 * - same key, same caller, same request → the first response (status, content type,
 *   body byte for byte) with `idempotent-replayed: true`; 4xx answers included;
 * - same key, different request → 422 `idempotency_key_reused`;
 * - same key while the first request still runs → 409 `idempotency_request_in_flight`;
 * - a first request ending in 5xx or 401 releases the key, so the client may retry with it;
 * - a holder renews its lease while it runs; one that died leaves a lease that lapses,
 *   after which the same request may take the key over.
 * Must be installed before the routes it applies to are registered.
 */
/**
 * The caller's Idempotency-Key, for services that also enforce it with a unique index
 * (the hook has already validated it on idempotent routes).
 */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' && key !== '' ? key : undefined;
}

const IDEMPOTENCY_HEADER_SCHEMA = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description:
        'replays the first response for the same key and body; 422 for another body; 409 while in flight',
    },
  },
} as const;

export function installIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  // Every idempotent route documents the header in OpenAPI (and so in the web app's types).
  app.addHook('onRoute', (route) => {
    const config = route.config as { idempotent?: boolean } | undefined;
    if (config?.idempotent && route.schema && !route.schema.headers)
      route.schema = { ...route.schema, headers: IDEMPOTENCY_HEADER_SCHEMA };
  });
  const holds = new WeakMap<FastifyRequest, Hold>();
  const heartbeatMs = Math.max(1, Math.floor(store.leaseMs / 3));

  const stopHeartbeat = (hold: Hold) => {
    if (hold.heartbeat) clearInterval(hold.heartbeat);
    hold.heartbeat = undefined;
  };

  const hold = (request: FastifyRequest, claim: Claim) => {
    // Recorded before anything else can throw, so every later outcome settles the claim.
    const state: Hold = { claim, heartbeat: undefined, settled: false };
    holds.set(request, state);
    const startedAt = Date.now();
    state.heartbeat = setInterval(() => {
      if (Date.now() - startedAt > MAX_HOLD_MS) {
        stopHeartbeat(state);
        request.log.warn(
          { key: claim.key },
          'idempotent request still running; no longer renewing its lease',
        );
        return;
      }
      store.extendLease(claim).then(
        (renewed) => {
          if (renewed || state.settled) return;
          stopHeartbeat(state);
          request.log.warn({ key: claim.key }, 'idempotency key was taken over while its request ran');
        },
        (error: unknown) => request.log.error({ err: error }, 'could not renew an idempotency lease'),
      );
    }, heartbeatMs);
    state.heartbeat.unref();
  };

  // Runs after authentication and body validation: the caller and the parsed body exist.
  const claimKey = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]);
    if (key === undefined) return;
    const { userId } = authorize(request.actor);
    const keyed: KeyedRequest = {
      scope: userId,
      key,
      method: request.method,
      path: request.url,
      fingerprint: fingerprintRequest(request.method, request.url, request.body),
    };
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt += 1) {
      const claim = await store.claim(keyed);
      if (claim) return hold(request, claim);
      const found = await store.read(keyed.scope, key);
      switch (decide(found?.record, keyed.fingerprint, found?.now ?? new Date())) {
        case 'proceed':
          continue;
        case 'take_over': {
          const taken = await store.takeOver(keyed);
          if (taken) return hold(request, taken);
          continue;
        }
        case 'replay':
          return replay(reply, found!.row);
        case 'reused':
          throw reused();
        case 'in_flight':
          throw inFlight();
      }
    }
    // Lost every race: someone else holds the key right now.
    throw inFlight();
  };

  // Sees the final payload (serialized by now) of every outcome: the handler's answer, an
  // error mapped by the error handler, or a failure of a later preHandler. It runs even
  // when the client has gone away, so work that committed is still recorded.
  const settle = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const state = holds.get(request);
    if (!state || state.settled) return payload;
    state.settled = true;
    stopHeartbeat(state);
    try {
      const body = storable(payload);
      if (!keepsOutcome(reply.statusCode)) {
        await store.release(state.claim);
      } else if (body === undefined) {
        request.log.error(
          { key: state.claim.key },
          'an idempotent route answered with a stream; key released',
        );
        await store.release(state.claim);
      } else {
        const contentType = reply.getHeader('content-type');
        const stored = await store.complete(state.claim, {
          status: reply.statusCode,
          contentType: typeof contentType === 'string' ? contentType : null,
          body,
        });
        if (!stored) request.log.warn({ key: state.claim.key }, 'idempotency key was lost before completion');
      }
    } catch (error) {
      // The client still gets the true outcome; the key keeps its lapsing lease.
      request.log.error({ err: error }, 'could not record the outcome of an idempotent request');
    }
    return payload;
  };

  // Only when no payload was ever sent (a hijacked reply): stop renewing and let the lease lapse.
  const abandon = async (request: FastifyRequest) => {
    const state = holds.get(request);
    if (state && !state.settled) stopHeartbeat(state);
  };

  app.addHook('onRoute', (route) => {
    const config = route.config as FastifyContextConfig | undefined;
    if (!config?.idempotent) return;
    if (config.auth !== 'required') {
      throw new Error(`${String(route.method)} ${route.url}: an idempotent route must set auth: 'required'`);
    }
    const own = (hooks: unknown) => (hooks ? [hooks].flat() : []);
    // First among the route's own preHandlers, so whatever they do happens under the key.
    route.preHandler = [claimKey, ...own(route.preHandler)] as typeof route.preHandler;
    route.onSend = [...own(route.onSend), settle] as typeof route.onSend;
    route.onResponse = [...own(route.onResponse), abandon] as typeof route.onResponse;
  });
}
