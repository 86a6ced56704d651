import { installHttpTracing } from '../tracing/http.js';
import { randomBytes } from 'node:crypto';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import type { Http2SecureServer } from 'node:http2';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyContextConfig,
  type FastifyHttp2SecureOptions,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { AccessTokens } from '../auth/tokens.js';
import { installAuthentication } from './auth-hook.js';
import { installErrorHandling } from './error-handler.js';
import type { RateLimits } from './rate-limits.js';
import { documentHeaders, securityHeaders } from './security-headers.js';
import { validatorCompiler } from './validation.js';
import { docsRoutes } from './docs.routes.js';
import { httpsOptions } from '../tls/tls.options.js';
import { securitySchemes, withSecurity } from './openapi-security.js';
import fastJsonStringify from 'fast-json-stringify';
import { requestLogger } from '../logging/request-logger.js';

export type HttpApp = FastifyInstance;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// Request ids: a random per-process prefix and a counter. Unique across instances without
// paying for a random UUID on every request.
const PROCESS_TAG = randomBytes(6).toString('base64url');
let requestCounter = 0;

// The reference page runs Scalar's own bundle and inline bootstrap; JSON answers carry a
// policy that loads nothing (security-headers.ts).
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

type OriginCheck = (origin: string | undefined, done: (error: null, allow: boolean) => void) => void;

/**
 * A listed origin is echoed, any other gets no CORS headers at all. "Any" (sandbox only)
 * still excludes `null`, the origin of sandboxed iframes and file: pages, which any site
 * can make a browser send: echoing it would open the API to every page.
 */
function corsOrigin(allowed: string[] | true): string[] | false | OriginCheck {
  if (allowed !== true) return allowed.length > 0 ? allowed : false;
  return (origin, done) => done(null, origin !== undefined && origin !== 'null');
}

export interface HttpDeps {
  config: Config;
  logger: Logger;
  tokens: AccessTokens;
  limits: RateLimits;
}

/**
 * The gateway's Fastify instance with everything every route relies on: strict schema
 * validation, the envelope's error mapping, request ids, authentication and rate limits,
 * security headers, CORS and the OpenAPI document. Modules add their routes afterwards.
 */
export async function createHttpApp({ config, logger, tokens, limits }: HttpDeps): Promise<FastifyInstance> {
  const tls = httpsOptions(config.tls);
  const options = {
    loggerInstance: logger as FastifyBaseLogger,
    childLoggerFactory: (parent, bindings, childOptions) =>
      requestLogger(parent as Logger, bindings, childOptions),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      if (typeof given === 'string' && REQUEST_ID.test(given)) return given;
      requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
      return `${PROCESS_TAG}-${requestCounter.toString(36)}`;
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  } satisfies FastifyServerOptions;
  // With certificates: HTTPS with HTTP/2, and HTTP/1.1 for clients that do not offer h2 by
  // ALPN. An HTTP/2 server cannot close only idle connections: on close its sessions get a
  // GOAWAY (streams in flight finish) and HTTP/1.1 keep-alive sockets are closed.
  const app = (tls
    ? Fastify({
        ...options,
        http2: true,
        https: tls,
        forceCloseConnections: true,
      } as unknown as FastifyHttp2SecureOptions<Http2SecureServer>)
    : Fastify(options)) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  // Fastify's own serializer compiler, made lazy like the validators: a route's response
  // schema is compiled on its first answer with that status, not at start-up.
  app.setSerializerCompiler(({ schema }) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data) =>
      (serialize ??= fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]))(data);
  });
  installErrorHandling(app);
  installHttpTracing(app);

  // Hooks run on every request, so they are few, synchronous and precomputed.
  // HSTS only in live mode: there the public address is HTTPS (here or at a TLS terminator),
  // while a browser that saw it from a sandbox on localhost would refuse plain HTTP to every
  // local port for a year.
  const security = securityHeaders({ hsts: config.mode === 'live' });
  const staticHeaders = { ...security.api, 'mamlaka-mode': config.mode };
  // During shutdown, responses still in flight tell the client to drop the connection, so
  // keep-alive sockets do not hold the server open after their last request.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(staticHeaders);
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    // HTTP/2 has no Connection header: its sessions are closed by a GOAWAY instead.
    if (closing && request.raw.httpVersionMajor < 2) reply.header('connection', 'close');
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html'))
      reply.headers(documentHeaders(security, reply.getHeader('content-security-policy')));
    done(null, payload);
  });
  if (config.mode === 'sandbox') {
    // Marks every envelope so nobody mistakes sandbox money for real money.
    app.addHook('preSerialization', (_request, _reply, payload, done) => {
      const meta = (payload as { meta?: Record<string, unknown> } | null)?.meta;
      if (meta && typeof meta === 'object') meta.sandbox = true;
      done(null, payload);
    });
  }

  await app.register(cors, {
    origin: corsOrigin(config.corsOrigins),
    exposedHeaders: [
      'x-request-id',
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'idempotent-replayed',
    ],
  });
  await app.register(multipart, {
    // One image and a few short text fields: anything bigger is not a product form.
    limits: { fileSize: config.imageMaxBytes, files: 1, fields: 20, fieldSize: 10_000, parts: 25 },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mamlaka API',
        version: '0.1.0',
        description:
          'Commerce and payments: users, catalog, checkout, wallets and a double-entry ledger. ' +
          'Every response uses the envelope `{meta: {success, message, code?}, results}`.',
      },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: securitySchemes(config.publicUrl) },
    },
    // The roles and scope a route lets through live in its `config`, where the auth hook
    // enforces them; the operation's `x-roles` and `security` are made from them, so the
    // document says exactly what is enforced.
    transform: ({ schema, url, route }) => {
      const routeConfig = route.config as FastifyContextConfig | undefined;
      const roles = routeConfig?.roles;
      const withRoles = roles && schema ? { ...schema, 'x-roles': [...roles] } : schema;
      return { schema: withSecurity(withRoles, routeConfig), url };
    },
  });
  installAuthentication(app, tokens, limits);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  docsRoutes(app, DOCS_CSP);
  return app;
}
