import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { Checkout } from './payments.checkout.js';
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
}): PaymentsModule {
  const providers = new Map<string, PaymentProvider>(
    [new WalletProvider(deps.ledger), new ManualProvider(deps.paymentExpiryMs)].map((p) => [p.method, p]),
  );
  const checkout = new Checkout(deps.db, deps.catalog, providers, {
    defaultMethod: deps.defaultMethod,
    feeBps: deps.feeBps,
  });
  const payments = new PaymentsService(deps.db, deps.catalog, deps.ledger, providers);
  const refunds = new Refunds(deps.db, deps.catalog, deps.ledger, providers);
  return {
    checkout,
    payments,
    refunds,
    providers,
    routes: (app) => paymentsRoutes(app, { checkout, payments, refunds }),
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
