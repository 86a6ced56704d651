import type { FastifyInstance } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { repeatEvery, type StopJob } from '../../platform/repeat.js';
import type { CatalogApi } from '../catalog/catalog.api.js';
import type { CheckoutApi, PaymentsApi } from '../payments/payments.api.js';
import type { OrderPricing } from '../pricing/pricing.service.js';
import { CartCheckout } from './carts.checkout.js';
import { CartChoices } from './carts.choices.js';
import { CartsRepository } from './carts.repository.js';
import { cartsRoutes } from './carts.routes.js';
import { type CartsOptions, CartsService } from './carts.service.js';

/** Expired carts deleted per statement, and statements per sweep: no sweep holds the table long. */
const SWEEP_BATCH = 500;
const SWEEP_MAX_BATCHES = 20;

/** What carts call: the catalog for live prices, payments for the checkout (in process or over gRPC). */
export interface CartsServices {
  catalog: Pick<CatalogApi, 'retrieve'>;
  checkout: CheckoutApi;
  payments: Pick<PaymentsApi, 'retrieve'>;
}

export interface CartsModule {
  routes(app: FastifyInstance, services: CartsServices): void;
  /** Starts deleting expired carts every `intervalMs`; returns the function that stops it. */
  startExpiry(intervalMs: number): StopJob;
  /** A person's carts in their data export, and gone with their account. */
  privacy: {
    exportOf(userId: string): Promise<unknown[]>;
    eraseUser(trx: Transaction<object>, userId: string): Promise<void>;
  };
}

export function createCartsModule(deps: {
  db: Kysely<object>;
  logger: Logger;
  options: CartsOptions;
  /** Quotes with shipping, tax and discounts once a buyer chose an address. */
  pricing?: OrderPricing;
}): CartsModule {
  return {
    routes(app, services) {
      const carts = new CartsService(deps.db, services.catalog, deps.options, deps.pricing);
      const checkout = new CartCheckout(
        deps.db,
        carts,
        services.checkout,
        services.payments,
        deps.options.ttlMs,
      );
      cartsRoutes(app, { carts, checkout, choices: new CartChoices(deps.db, carts, deps.pricing) });
    },
    privacy: {
      exportOf: (userId) => CartsRepository.of(deps.db).exportOf(userId),
      eraseUser: (trx, userId) => CartsRepository.in(trx).eraseOwner(userId),
    },
    startExpiry: (intervalMs) => {
      const repo = CartsRepository.of(deps.db);
      return repeatEvery(
        intervalMs,
        async (stopping) => {
          let count = 0;
          for (let round = 0; round < SWEEP_MAX_BATCHES && !stopping.aborted; round += 1) {
            const deleted = await repo.deleteExpired(SWEEP_BATCH);
            count += deleted;
            if (deleted < SWEEP_BATCH) break;
          }
          if (count) deps.logger.info({ count }, 'expired carts deleted');
        },
        deps.logger,
        'cart expiry failed',
      );
    },
  };
}
