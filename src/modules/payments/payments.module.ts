import type { GrpcServer } from '../../platform/grpc/server.js';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { MidtransClient } from '../midtrans/midtrans.client.js';
import type { GatewayOrders } from '../midtrans/midtrans.orders.js';
import { MidtransProvider } from './midtrans/midtrans.provider.js';
import { Checkout } from './payments.checkout.js';
import type { CheckoutGroupSettings } from './payments.checkout-groups.js';
import type { PaymentEvents } from './payments.events.js';
import { paymentsGrpc } from './payments.grpc.js';
import type { OrderLimits } from './payments.limits.js';
import { Orders } from './payments.orders.js';
import { ordersRoutes } from './payments.orders.routes.js';
import { ManualProvider, type PaymentProvider, WalletProvider } from './payments.providers.js';
import type { CheckoutApi, PaymentsApi, RefundsApi } from './payments.api.js';
import { type PaymentsReconciliation, paymentsReconciliation } from './payments.reconcile.js';
import { startRefundReconciler } from './payments.refund-reconciler.js';
import { Refunds, type RefundTiming } from './payments.refunds.js';
import { AdminPayments } from './payments.admin.js';
import { paymentsReportRoutes } from './payments.report-routes.js';
import { paymentsRoutes } from './payments.routes.js';
import { SellerSales } from './payments.sales.js';
import { PaymentsService } from './payments.service.js';
import { PaymentObligations } from './payments.obligations.js';
import { repeatEvery, type StopJob } from '../../platform/repeat.js';

export interface PaymentsModule {
  checkout: Checkout;
  payments: PaymentsService;
  refunds: Refunds;
  /** A person's open business as buyer and seller: what blocks erasing their account. */
  obligations: PaymentObligations;
  /** Orders and the fulfilment of their items. */
  orders: Orders;
  providers: ReadonlyMap<string, PaymentProvider>;
  /** Payments as Midtrans sees them: what its notifications settle. */
  gatewayOrders: GatewayOrders;
  /**
   * The REST routes, over the in-process services or, in the split gateway, over `remote`;
   * the orders and report routes always over the in-process services (the gateway has the database).
   */
  routes(app: FastifyInstance, remote?: CheckoutApi & PaymentsApi & RefundsApi): void;
  /** Serves mamlaka.payments.v1.PaymentService on the gRPC server. */
  grpc?(server: GrpcServer): void;
  /** Payments and refunds checked against the ledger (in a snapshot) and against gateways. */
  reconcile: PaymentsReconciliation;
  /** Starts the background expiry of pending payments; returns the function that stops it. */
  startExpiry(intervalMs: number): StopJob;
  /** Starts settling refunds a gateway left pending (one leader across instances). */
  startRefundReconciler(intervalMs: number): StopJob;
}

export function createPaymentsModule(deps: {
  db: Kysely<object>;
  catalog: CatalogService;
  ledger: LedgerService;
  logger: Logger;
  defaultMethod: string;
  feeBps: number;
  limits: OrderLimits;
  /** Wallet checkouts committed together when they queue (Checkout's `groups`). */
  checkoutGroups?: CheckoutGroupSettings;
  paymentExpiryMs: number;
  /** The web app's public origin (Midtrans's finish redirect goes back there). */
  appUrl?: string;
  refundTiming: RefundTiming;
  /** The currency of a sales report's zero series when nothing sold (DEFAULT_CURRENCY). */
  defaultCurrency?: string;
  midtrans?: MidtransClient;
  events?: PaymentEvents;
}): PaymentsModule {
  const midtransClient = deps.midtrans;
  const providers = new Map<string, PaymentProvider>(
    [
      new WalletProvider(deps.ledger),
      new ManualProvider(deps.paymentExpiryMs),
      ...(midtransClient ? [new MidtransProvider(midtransClient, deps.paymentExpiryMs, deps.appUrl)] : []),
    ].map((p) => [p.method, p]),
  );
  const payments = new PaymentsService(deps.db, deps.catalog, deps.ledger, providers, deps.events);
  const checkout = new Checkout(
    deps.db,
    deps.catalog,
    providers,
    payments,
    {
      defaultMethod: deps.defaultMethod,
      feeBps: deps.feeBps,
      limits: deps.limits,
      ...(deps.checkoutGroups ? { groups: deps.checkoutGroups } : {}),
    },
    deps.events,
  );
  const refunds = new Refunds({
    db: deps.db,
    catalog: deps.catalog,
    ledger: deps.ledger,
    providers,
    logger: deps.logger,
    timing: deps.refundTiming,
    events: deps.events,
  });
  const orders = new Orders(deps.db, deps.events);
  const sales = new SellerSales(deps.db, deps.defaultCurrency ?? 'IDR');
  const gatewayOrders: GatewayOrders = {
    kind: 'payment',
    async find(orderId) {
      const payment = await payments.findForGateway(orderId);
      return payment?.method === 'midtrans'
        ? { amountMinor: payment.amount_minor, currency: payment.currency }
        : undefined;
    },
    apply: (orderId, outcome) => payments.applyGatewayStatus(orderId, outcome),
  };
  return {
    obligations: new PaymentObligations(deps.db),
    checkout,
    payments,
    refunds,
    orders,
    providers,
    gatewayOrders,
    routes: (app, remote) => {
      paymentsRoutes(app, {
        checkout: remote ?? checkout,
        payments: remote ?? payments,
        refunds: remote ?? refunds,
      });
      ordersRoutes(app, { orders });
      paymentsReportRoutes(app, { sales, admin: new AdminPayments(deps.db) });
    },
    grpc: (server) => paymentsGrpc(server, { checkout, payments, refunds }),
    reconcile: paymentsReconciliation(deps.db, deps.ledger, providers),
    startExpiry: (intervalMs) =>
      repeatEvery(
        intervalMs,
        async () => {
          const count = await payments.expireDue();
          if (count) deps.logger.info({ count }, 'pending payments expired');
        },
        deps.logger,
        'payment expiry failed',
      ),
    startRefundReconciler: (intervalMs) =>
      startRefundReconciler(deps.db, refunds.settlement, deps.logger, intervalMs),
  };
}
