import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFoundBody, refundBody, type Signer, statusBody } from './sandbox.bodies.js';
import {
  finishRedirect,
  notFoundPage,
  PAGE_ACTIONS,
  type PageAction,
  paymentPage,
  resultPage,
} from './sandbox.page.js';
import { parseRupiah, type TransactionStatus } from './sandbox.state.js';
import { SandboxError, type TransactionStore } from './sandbox.store.js';
import { validateSnapRequest } from './sandbox.validation.js';

export type RefundFault = 'none' | 'refuse' | 'hang_before_executing' | 'hang_after_executing';

/** What the routes work on; the sandbox server owns it. */
export interface SandboxContext {
  store: TransactionStore;
  signer: Signer;
  /** The base of `redirect_url` (where customers open the Snap page) for this request. */
  publicBase(request: FastifyRequest): string;
  notify(orderId: string, status?: TransactionStatus): Promise<void>;
  /** Resolves once the change just made is saved (at once when nothing is kept). */
  saved(): Promise<void>;
  refundFault(): RefundFault;
  /** Resolves when a hanging refund fault is lifted. */
  held(): Promise<void>;
}

const BODY_LIMIT_BYTES = 64 * 1024;
const FORM_LIMIT_BYTES = 1024;
const MAX_REFUND_KEY = 50;
const MAX_REASON = 255;

// The pay page has an inline style and a form posting to itself, nothing else. Helmet's API
// policy would upgrade that form to https, which a plain-http local server cannot answer.
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SNAP_UNAUTHORIZED = {
  error_messages: [
    'Access denied due to unauthorized transaction, please check client or server key',
    'Visit https://snap-docs.midtrans.com/#request-headers for more details',
  ],
};
const CORE_UNAUTHORIZED = {
  status_code: '401',
  status_message: 'Transaction cannot be authorized with the current client/server key.',
};

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Midtrans's Snap API, Core API v2 (status, refund) and the Snap pay page, registered on
 * `app`: the sandbox's own server, or an encapsulated plugin of the main server under a
 * path prefix. Everything here answers as Midtrans does (its bodies, its error shapes),
 * never in the platform's envelope, and stays out of the platform's OpenAPI document.
 */
export function registerSandboxRoutes(app: FastifyInstance, context: SandboxContext): void {
  const { store, signer } = context;
  const expectedAuth = digest(`Basic ${Buffer.from(`${signer.serverKey}:`).toString('base64')}`);
  const authorized = (request: FastifyRequest) =>
    timingSafeEqual(digest(request.headers.authorization ?? ''), expectedAuth);
  // Fresh objects per route: Fastify keeps and may annotate a route's options.
  const options = () => ({ bodyLimit: BODY_LIMIT_BYTES, schema: { hide: true } });

  // Snap's page posts an ordinary HTML form; no plugin needed for one small field.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', PAGE_CSP);
    return payload;
  });
  // Midtrans's Core API error shape, for what fails before a handler runs (bad JSON, a body too large).
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'midtrans sandbox request failed');
    return reply.code(status).send({
      status_code: String(status),
      status_message: status === 500 ? 'Internal server error' : error.message,
    });
  });

  app.post('/snap/v1/transactions', options(), async (request, reply) => {
    if (!authorized(request)) return reply.code(401).send(SNAP_UNAUTHORIZED);
    const parsed = validateSnapRequest(request.body);
    if (!parsed.ok) return reply.code(400).send({ error_messages: parsed.errors });
    try {
      const transaction = store.create(parsed.value);
      // Kept before the merchant hears of it: a payment link handed out survives a restart.
      await context.saved();
      return reply.code(201).send({
        token: transaction.token,
        redirect_url: `${context.publicBase(request).replace(/\/+$/, '')}/snap/v2/vtweb/${transaction.token}`,
      });
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      return reply.code(400).send({ error_messages: [error.message] });
    }
  });

  app.get<{ Params: { token: string } }>('/snap/v2/vtweb/:token', options(), async (request, reply) => {
    const transaction = store.byToken(request.params.token);
    reply.type('text/html; charset=utf-8');
    if (!transaction) return reply.code(404).send(notFoundPage());
    return reply.send(paymentPage(transaction));
  });

  app.post<{ Params: { token: string } }>('/snap/v2/vtweb/:token/pay', options(), async (request, reply) => {
    reply.type('text/html; charset=utf-8');
    const transaction = store.byToken(request.params.token);
    if (!transaction) return reply.code(404).send(notFoundPage());
    const action = (request.body as { action?: unknown } | undefined)?.action;
    if (!PAGE_ACTIONS.includes(action as PageAction)) {
      return reply.code(400).send(resultPage(transaction, 'Unknown action.'));
    }
    try {
      store.pay(transaction.orderId, action as PageAction);
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      return reply.code(409).send(resultPage(transaction, error.message));
    }
    await context.saved();
    // Like Midtrans, the customer's page does not wait for the merchant's endpoint.
    void context.notify(transaction.orderId);
    // Like Snap, back to the merchant's `callbacks.finish` with the outcome in the query.
    if (transaction.finishUrl) return reply.redirect(finishRedirect(transaction, transaction.finishUrl), 303);
    return reply.send(resultPage(transaction, `Transaction ${transaction.status}.`));
  });

  app.get<{ Params: { orderId: string } }>('/v2/:orderId/status', options(), async (request, reply) => {
    if (!authorized(request)) return reply.code(401).send(CORE_UNAUTHORIZED);
    const transaction = store.get(request.params.orderId);
    if (!transaction || transaction.status === 'created') return reply.code(404).send(notFoundBody());
    return reply.send(statusBody(transaction, signer));
  });

  app.post<{ Params: { orderId: string } }>('/v2/:orderId/refund', options(), async (request, reply) => {
    if (!authorized(request)) return reply.code(401).send(CORE_UNAUTHORIZED);
    const body = (request.body ?? {}) as { refund_key?: unknown; amount?: unknown; reason?: unknown };
    const problems: string[] = [];
    // Midtrans makes refund_key optional; without one a retried request refunds again.
    const refundKey = body.refund_key ?? randomUUID();
    if (typeof refundKey !== 'string' || refundKey.length === 0 || refundKey.length > MAX_REFUND_KEY) {
      problems.push(`refund_key must be 1 to ${MAX_REFUND_KEY} characters`);
    }
    const amount = body.amount === undefined ? undefined : parseRupiah(body.amount);
    if (amount === null) problems.push('amount must be a positive integer');
    if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > MAX_REASON)) {
      problems.push(`reason must be a string of at most ${MAX_REASON} characters`);
    }
    if (problems.length > 0) {
      return reply.code(400).send({
        status_code: '400',
        status_message: 'One or more parameters in the payload is invalid.',
        validation_messages: problems,
      });
    }
    if (context.refundFault() === 'refuse') {
      return reply.code(412).send({ status_code: '412', status_message: 'Refund is refused by the bank' });
    }
    if (context.refundFault() === 'hang_before_executing') await context.held();
    try {
      const { transaction, refund, replayed } = store.refund(request.params.orderId, {
        refundKey: refundKey as string,
        amount: amount ?? undefined,
        reason: body.reason as string | undefined,
      });
      if (!replayed) {
        await context.saved();
        void context.notify(transaction.orderId);
      }
      if (context.refundFault() === 'hang_after_executing') await context.held();
      return reply.send(refundBody(transaction, refund));
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      if (error.code === 'not_found') return reply.code(404).send(notFoundBody());
      const statusCode = error.code === 'refund_amount_invalid' ? '400' : '412';
      return reply.code(Number(statusCode)).send({ status_code: statusCode, status_message: error.message });
    }
  });
}
