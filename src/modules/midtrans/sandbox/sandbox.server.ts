import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { notFoundBody, notificationBody, refundBody, type Signer, statusBody } from './sandbox.bodies.js';
import { DEFAULT_RETRY, type DeliveryAttempt, Notifier, type RetryPolicy } from './sandbox.notifier.js';
import { notFoundPage, PAGE_ACTIONS, type PageAction, paymentPage, resultPage } from './sandbox.page.js';
import { parseRupiah, type PayOutcome, type TransactionStatus } from './sandbox.state.js';
import { type SandboxRefund, SandboxError, TransactionStore } from './sandbox.store.js';
import { validateSnapRequest } from './sandbox.validation.js';

export interface MidtransSandboxOptions {
  serverKey: string;
  /** Where HTTP notifications go; none are sent without it. */
  notificationUrl?: string;
  /** The base of `redirect_url`; defaults to the address the sandbox listens on. */
  publicUrl?: string;
  retry?: RetryPolicy;
  merchantId?: string;
  logger?: Logger;
}

export interface MidtransSandbox {
  app: FastifyInstance;
  /** Starts listening (port 0 and 127.0.0.1 by default) and returns the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops the server and abandons deliveries still waiting for a retry. */
  close(): Promise<void>;
  /** Test hook: what the customer does on Snap. Resolves after the notification's delivery ends. */
  pay(orderId: string, outcome: PayOutcome): Promise<void>;
  /**
   * Test hook: delivers a notification for `status` (default: the current one) whatever the
   * transaction's state, e.g. twice in a row or a stale `pending` after `settlement`.
   */
  sendNotification(orderId: string, status?: TransactionStatus): Promise<void>;
  /** Test hook: resolves when every delivery started so far has ended. */
  idle(): Promise<void>;
  /**
   * Test hook: the gateway's record of the amount changes, so its (validly signed)
   * notifications and status answers disagree with what the merchant asked for.
   */
  recordGrossAmount(orderId: string, grossAmount: bigint): void;
  /** Test hook: every refund the sandbox executed on a transaction (replays excluded). */
  refunds(orderId: string): readonly SandboxRefund[];
  /**
   * Test hook: how refund requests misbehave from now on. `refuse` answers 412;
   * `hang_before_executing` holds the request without refunding, `hang_after_executing`
   * refunds and then holds the answer, both until the fault is set back to `none` (or the
   * sandbox closes), so the caller sees a timeout either way.
   */
  setRefundFault(fault: RefundFault): void;
  notifications: { sent: DeliveryAttempt[] };
}

export type RefundFault = 'none' | 'refuse' | 'hang_before_executing' | 'hang_after_executing';

const BODY_LIMIT_BYTES = 64 * 1024;
const FORM_LIMIT_BYTES = 1024;
const MAX_REFUND_KEY = 50;
const MAX_REASON = 255;

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
 * A local Midtrans (Snap API and Core API v2), state in memory, so development and tests
 * need no internet. Creating a Snap token sends no notification: Midtrans only sends
 * `pending` once the customer picks a payment method (`pay(orderId, 'pending')` here), and
 * until then its status API answers 404, which the sandbox reproduces.
 */
export function createMidtransSandbox(options: MidtransSandboxOptions): MidtransSandbox {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
  });
  const store = new TransactionStore();
  const notifier = new Notifier(options.notificationUrl, options.retry ?? DEFAULT_RETRY, options.logger);
  const signer: Signer = { serverKey: options.serverKey, merchantId: options.merchantId ?? 'G000000000' };
  const expectedAuth = digest(`Basic ${Buffer.from(`${options.serverKey}:`).toString('base64')}`);
  let baseUrl: string | undefined;
  let refundFault: RefundFault = 'none';
  let releaseHeld: (() => void) | undefined;
  let held: Promise<void> = Promise.resolve();
  const hold = () => {
    held = new Promise((resolve) => (releaseHeld = resolve));
  };

  const authorized = (request: FastifyRequest) =>
    timingSafeEqual(digest(request.headers.authorization ?? ''), expectedAuth);

  const notify = (orderId: string, status?: TransactionStatus): Promise<void> => {
    const transaction = store.get(orderId);
    if (!transaction) throw new SandboxError('not_found', "Transaction doesn't exist.");
    const sentStatus = status ?? transaction.status;
    if (sentStatus === 'created') throw new SandboxError('invalid_transition', 'nobody has paid yet');
    return notifier.deliver(notificationBody(transaction, sentStatus, signer));
  };

  // Snap's page posts an ordinary HTML form; no plugin needed for one small field.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.post('/snap/v1/transactions', async (request, reply) => {
    if (!authorized(request)) return reply.code(401).send(SNAP_UNAUTHORIZED);
    const parsed = validateSnapRequest(request.body);
    if (!parsed.ok) return reply.code(400).send({ error_messages: parsed.errors });
    try {
      const transaction = store.create(parsed.value);
      const base = options.publicUrl ?? baseUrl ?? `http://${request.host}`;
      return reply.code(201).send({
        token: transaction.token,
        redirect_url: `${base.replace(/\/+$/, '')}/snap/v2/vtweb/${transaction.token}`,
      });
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      return reply
        .code(error.code === 'duplicate_order' ? 400 : 503)
        .send({ error_messages: [error.message] });
    }
  });

  app.get<{ Params: { token: string } }>('/snap/v2/vtweb/:token', async (request, reply) => {
    const transaction = store.byToken(request.params.token);
    reply.type('text/html; charset=utf-8');
    if (!transaction) return reply.code(404).send(notFoundPage());
    return reply.send(paymentPage(transaction));
  });

  app.post<{ Params: { token: string } }>('/snap/v2/vtweb/:token/pay', async (request, reply) => {
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
    // Like Midtrans, the customer's page does not wait for the merchant's endpoint.
    void notify(transaction.orderId);
    return reply.send(resultPage(transaction, `Transaction ${transaction.status}.`));
  });

  app.get<{ Params: { orderId: string } }>('/v2/:orderId/status', async (request, reply) => {
    if (!authorized(request)) return reply.code(401).send(CORE_UNAUTHORIZED);
    const transaction = store.get(request.params.orderId);
    if (!transaction || transaction.status === 'created') return reply.code(404).send(notFoundBody());
    return reply.send(statusBody(transaction, signer));
  });

  app.post<{ Params: { orderId: string } }>('/v2/:orderId/refund', async (request, reply) => {
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
    if (refundFault === 'refuse') {
      return reply.code(412).send({ status_code: '412', status_message: 'Refund is refused by the bank' });
    }
    if (refundFault === 'hang_before_executing') await held;
    try {
      const { transaction, refund, replayed } = store.refund(request.params.orderId, {
        refundKey: refundKey as string,
        amount: amount ?? undefined,
        reason: body.reason as string | undefined,
      });
      if (!replayed) void notify(transaction.orderId);
      if (refundFault === 'hang_after_executing') await held;
      return reply.send(refundBody(transaction, refund));
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      if (error.code === 'not_found') return reply.code(404).send(notFoundBody());
      const statusCode = error.code === 'refund_amount_invalid' ? '400' : '412';
      return reply.code(Number(statusCode)).send({ status_code: statusCode, status_message: error.message });
    }
  });

  return {
    app,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      baseUrl = `http://${shownHost}:${address.port}`;
      return baseUrl;
    },
    async close() {
      releaseHeld?.();
      await notifier.close();
      await app.close();
    },
    async pay(orderId, outcome) {
      store.pay(orderId, outcome);
      await notify(orderId);
    },
    sendNotification: notify,
    idle: () => notifier.idle(),
    recordGrossAmount(orderId, grossAmount) {
      const transaction = store.get(orderId);
      if (!transaction) throw new SandboxError('not_found', "Transaction doesn't exist.");
      transaction.grossAmount = grossAmount;
    },
    refunds: (orderId) => store.get(orderId)?.refunds ?? [],
    setRefundFault(fault) {
      refundFault = fault;
      if (fault.startsWith('hang')) hold();
      else releaseHeld?.();
    },
    notifications: { sent: notifier.sent },
  };
}
