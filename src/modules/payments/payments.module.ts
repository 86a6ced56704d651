import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { MidtransClient } from './midtrans/midtrans.client.js';
import { MidtransNotifications } from './midtrans/midtrans.notifications.js';
import { MidtransProvider } from './midtrans/midtrans.provider.js';
import { midtransRoutes } from './midtrans/midtrans.routes.js';
import { Checkout } from './payments.checkout.js';
import type { PaymentEvents } from './payments.events.js';
import { ManualProvider, type PaymentProvider, WalletProvider } from './payments.providers.js';
import { checkPaymentsAgainstLedger } from './payments.reconcile.js';
import { Refunds } from './payments.refunds.js';
import { paymentsRoutes } from './payments.routes.js';
import { PaymentsService } from './payments.service.js';

export interface PaymentsModule {
  checkout: Checkout;
  payments: PaymentsService;
  refunds: Refunds;
  providers: ReadonlyMap<string, PaymentProvider>;
  routes(app: FastifyInstance): void;
  reconcile(): Promise<string[]>;
  /** Starts the background expiry of pending payments; returns the function that stops it. */
  startExpiry(intervalMs: number): () => void;
}

export function createPaymentsModule(deps: {
  db: Kysely<object>;
  catalog: CatalogService;
  ledger: LedgerService;
  logger: Logger;
  defaultMethod: string;
  feeBps: number;
  paymentExpiryMs: number;
  midtrans?: { serverKey: string; snapUrl: string; apiUrl: string; timeoutMs?: number };
  events?: PaymentEvents;
}): PaymentsModule {
  const midtransClient = deps.midtrans ? new MidtransClient(deps.midtrans) : undefined;
  const providers = new Map<string, PaymentProvider>(
    [
      new WalletProvider(deps.ledger),
      new ManualProvider(deps.paymentExpiryMs),
      ...(midtransClient ? [new MidtransProvider(midtransClient, deps.paymentExpiryMs)] : []),
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
    },
    deps.events,
  );
  const refunds = new Refunds(deps.db, deps.catalog, deps.ledger, providers, deps.events);
  const notifications =
    midtransClient && deps.midtrans
      ? new MidtransNotifications(deps.db, midtransClient, deps.midtrans.serverKey, payments, deps.logger)
      : undefined;
  return {
    checkout,
    payments,
    refunds,
    providers,
    routes: (app) => {
      paymentsRoutes(app, { checkout, payments, refunds });
      if (notifications) midtransRoutes(app, notifications);
    },
    reconcile: () => checkPaymentsAgainstLedger(deps.db, deps.ledger),
    startExpiry(intervalMs) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        payments
          .expireDue()
          .then((count) => count && deps.logger.info({ count }, 'pending payments expired'))
          .catch((error: unknown) => deps.logger.error({ err: error }, 'payment expiry failed'))
          .finally(() => {
            running = false;
          });
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
