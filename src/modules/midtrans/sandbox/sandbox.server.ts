import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { notificationBody, type Signer } from './sandbox.bodies.js';
import { DEFAULT_RETRY, type DeliveryAttempt, Notifier, type RetryPolicy } from './sandbox.notifier.js';
import { SandboxStateFile } from './sandbox.persistence.js';
import { registerSandboxRoutes, type RefundFault, type SandboxContext } from './sandbox.routes.js';
import type { PayOutcome, TransactionStatus } from './sandbox.state.js';
import { type SandboxRefund, SandboxError, TransactionStore } from './sandbox.store.js';
import { midtransSignature } from './signature.js';
import { createIrisSandbox, type IrisSandbox, type IrisSandboxOptions } from './iris.server.js';

export type { RefundFault } from './sandbox.routes.js';

export interface MidtransSandboxOptions {
  serverKey: string;
  /** Where HTTP notifications go; none are sent without it (until `connect` gives one). */
  notificationUrl?: string;
  /** The base of `redirect_url`; defaults to the address the sandbox listens on. */
  publicUrl?: string;
  retry?: RetryPolicy;
  merchantId?: string;
  logger?: Logger;
  /**
   * A directory (created owner-only) where transactions and notifications still to deliver
   * are kept across restarts, in `state.json`. Without it everything stays in memory.
   */
  stateDir?: string;
  /** Emulates Midtrans Iris (payouts to banks) under `/iris` too, with these keys. */
  iris?: Omit<IrisSandboxOptions, 'logger'>;
}

export interface MidtransSandbox {
  /** The sandbox as a server of its own, created on first use; `listen` starts it. */
  readonly app: FastifyInstance;
  /** Starts its own server (port 0 and 127.0.0.1 by default) and returns the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Serves the sandbox from another server under `prefix` instead, as an encapsulated
   * plugin: none of that server's opt-in hooks (auth, idempotency, rate limits) nor its
   * error envelope apply, and the routes are hidden from its OpenAPI document.
   */
  mount(host: FastifyInstance, prefix: string): Promise<void>;
  /**
   * For a mounted sandbox, whose addresses are known only once its host listens: where
   * notifications go and the base of `redirect_url`. Notifications kept from before a
   * restart start going out now.
   */
  connect(addresses: { notificationUrl: string; publicUrl: string; irisNotificationUrl?: string }): void;
  /** Stops its own server and abandons deliveries waiting for a retry (kept, when state is). */
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
  /** The Iris emulation and its test hooks, when `iris` was given. */
  iris?: IrisSandbox;
}

/** A notification signed before a restart is signed again: the server key may be new (a generated one is). */
function resigned(body: Record<string, unknown>, serverKey: string): Record<string, unknown> {
  const { order_id: orderId, status_code: statusCode, gross_amount: grossAmount } = body;
  if (typeof orderId !== 'string' || typeof statusCode !== 'string' || typeof grossAmount !== 'string') {
    return body;
  }
  return { ...body, signature_key: midtransSignature(orderId, statusCode, grossAmount, serverKey) };
}

/**
 * A local Midtrans (Snap API and Core API v2), so development and tests need no internet;
 * state in memory, or kept in `stateDir` across restarts. Creating a Snap token sends no
 * notification: Midtrans only sends `pending` once the customer picks a payment method
 * (`pay(orderId, 'pending')` here), and until then its status API answers 404, which the
 * sandbox reproduces.
 */
export function createMidtransSandbox(options: MidtransSandboxOptions): MidtransSandbox {
  const store = new TransactionStore();
  const signer: Signer = { serverKey: options.serverKey, merchantId: options.merchantId ?? 'G000000000' };
  let publicUrl = options.publicUrl;
  let ownUrl: string | undefined;
  let ownApp: FastifyInstance | undefined;
  let refundFault: RefundFault = 'none';
  let releaseHeld: (() => void) | undefined;
  let held: Promise<void> = Promise.resolve();

  const state = options.stateDir
    ? new SandboxStateFile(
        path.join(options.stateDir, 'state.json'),
        () => ({ transactions: store.list(), notifications: notifier.queued() }),
        options.logger,
      )
    : undefined;
  const saved = () => state?.save() ?? Promise.resolve();
  const notifier = new Notifier(
    options.notificationUrl,
    options.retry ?? DEFAULT_RETRY,
    options.logger,
    () => void saved(),
  );
  if (state) {
    const kept = state.load();
    store.restore(kept.transactions);
    notifier.restore(
      kept.notifications.map((each) => ({ ...each, body: resigned(each.body, signer.serverKey) })),
    );
    if (kept.transactions.length > 0) {
      options.logger?.info(
        { transactions: kept.transactions.length, notifications: kept.notifications.length },
        'midtrans sandbox state loaded',
      );
    }
  }

  const notify = (orderId: string, status?: TransactionStatus): Promise<void> => {
    const transaction = store.get(orderId);
    if (!transaction) throw new SandboxError('not_found', "Transaction doesn't exist.");
    const sentStatus = status ?? transaction.status;
    if (sentStatus === 'created') throw new SandboxError('invalid_transition', 'nobody has paid yet');
    return notifier.deliver(notificationBody(transaction, sentStatus, signer));
  };

  const context: SandboxContext = {
    store,
    signer,
    publicBase: (request) => publicUrl ?? ownUrl ?? `${request.protocol}://${request.host}`,
    notify,
    saved,
    refundFault: () => refundFault,
    held: () => held,
  };

  const iris = options.iris ? createIrisSandbox({ ...options.iris, logger: options.logger }) : undefined;
  const routes = async (scope: FastifyInstance) => {
    registerSandboxRoutes(scope, context);
    // Iris lives under /iris at Midtrans too (https://app.sandbox.midtrans.com/iris/api/v1/...).
    if (iris) await scope.register(iris.routes, { prefix: '/iris' });
  };
  const standalone = () => {
    if (!ownApp) {
      ownApp = Fastify({
        ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
        forceCloseConnections: true,
      });
      // Loaded at the first request, ready or listen.
      void ownApp.register(routes);
    }
    return ownApp;
  };

  return {
    get app() {
      return standalone();
    },
    async listen(port = 0, host = '127.0.0.1') {
      const app = standalone();
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      ownUrl = `http://${shownHost}:${address.port}`;
      return ownUrl;
    },
    async mount(host, prefix) {
      await host.register(routes, { prefix });
    },
    connect(addresses) {
      publicUrl = addresses.publicUrl;
      notifier.setUrl(addresses.notificationUrl);
      if (addresses.irisNotificationUrl) iris?.connect(addresses.irisNotificationUrl);
    },
    async close() {
      releaseHeld?.();
      await notifier.close();
      await iris?.close();
      // Every change was saved as it happened; only writes still running are waited for.
      await state?.flush();
      await ownApp?.close();
    },
    async pay(orderId, outcome) {
      store.pay(orderId, outcome);
      await saved();
      await notify(orderId);
    },
    sendNotification: notify,
    idle: () => notifier.idle(),
    recordGrossAmount(orderId, grossAmount) {
      const transaction = store.get(orderId);
      if (!transaction) throw new SandboxError('not_found', "Transaction doesn't exist.");
      transaction.grossAmount = grossAmount;
      void saved();
    },
    refunds: (orderId) => store.get(orderId)?.refunds ?? [],
    setRefundFault(fault) {
      refundFault = fault;
      if (fault.startsWith('hang')) {
        held = new Promise((resolve) => (releaseHeld = resolve));
      } else releaseHeld?.();
    },
    notifications: { sent: notifier.sent },
    iris,
  };
}
