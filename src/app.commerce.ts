import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createCartsModule } from './modules/carts/carts.module.js';
import type { CatalogModule } from './modules/catalog/catalog.module.js';
import type { LedgerService } from './modules/ledger/ledger.service.js';
import type { MidtransModule } from './modules/midtrans/midtrans.module.js';
import type { PaymentsModule } from './modules/payments/payments.module.js';
import type { UsersModule } from './modules/users/users.module.js';
import type { WalletsModule } from './modules/wallets/wallets.module.js';
import { createPayoutsModule } from './modules/payouts/payouts.module.js';
import type { IrisClientOptions } from './modules/midtrans/iris.client.js';
import type { KeyRing } from './platform/crypto/keyring.js';
import type { Outbox } from './platform/events/outbox.js';
import { createAddressesModule } from './modules/addresses/addresses.module.js';
import { createDiscountsModule } from './modules/discounts/discounts.module.js';
import { createShippingModule } from './modules/shipping/shipping.module.js';
import { createTaxesModule } from './modules/taxes/taxes.module.js';
import { OrderPricing } from './modules/pricing/pricing.service.js';
import type { RolePlan } from './roles.js';
import type { StopJob } from './platform/repeat.js';
import type { connectServices } from './services.js';

/** The split gateway's gRPC clients, when this process is one. */
export type RemoteServices = ReturnType<typeof connectServices>;

export interface CommerceParts {
  config: Config;
  db: Kysely<object>;
  keyring: KeyRing;
  logger: Logger;
  outbox: Outbox;
  users: UsersModule;
  catalog: CatalogModule;
  payments: PaymentsModule;
  ledger: LedgerService;
  wallets: WalletsModule;
  midtrans?: MidtransModule;
  /** The bundled sandbox's Iris, when this server serves it (no IRIS_* settings needed then). */
  localIris?: IrisClientOptions & { merchantKey: string };
}

/** A background job of a commerce module: started in the roles its plan names, returns its stop. */
type CommerceJob = (plan: RolePlan) => StopJob | undefined;

/**
 * Commerce beyond one order at a time: carts, catalog depth (categories, collections,
 * images) and payouts to banks, wired to the modules they build on.
 */
export function createCommerceModules(parts: CommerceParts) {
  const routes: ((app: FastifyInstance, remote?: RemoteServices) => void)[] = [];
  const jobs: CommerceJob[] = [];

  // --- pricing ---
  // What a quote reads: the buyer's addresses, the sellers' shipping options, the tax rates,
  // the discounts. In process in every role (the split gateway has the database): carts show
  // quotes, and the payments service prices a cart's checkout inside its transaction.
  const addressBook = createAddressesModule({ db: parts.db, keyring: parts.keyring });
  const shippingOptions = createShippingModule({ db: parts.db });
  const taxRates = createTaxesModule({ db: parts.db });
  const discounts = createDiscountsModule({ db: parts.db });
  routes.push((app) => {
    addressBook.routes(app);
    shippingOptions.routes(app);
    taxRates.routes(app);
    discounts.routes(app);
  });
  const pricing = new OrderPricing(
    parts.db,
    {
      destination: async (buyerId, addressId) => {
        const address = await addressBook.addresses.retrieveOf(buyerId, addressId);
        return address && { country: address.country, region: address.region ?? null };
      },
      shippingOptions: (sellerId) => shippingOptions.shipping.rulesOf(sellerId),
      taxRates: (country) => taxRates.taxes.ratesFor(country),
      discounts: {
        resolve: (db, input) => discounts.discounts.resolve(db, input),
        redeem: (trx, input) => discounts.discounts.redeem(trx, input),
      },
    },
    parts.config.platformFeeBps,
  );
  parts.payments.checkout.priceWith(pricing);
  parts.payments.payments.releasesDiscountsWith((trx, paymentId) =>
    discounts.discounts.release(trx, paymentId),
  );

  // --- carts ---
  const carts = createCartsModule({
    db: parts.db,
    logger: parts.logger,
    options: { ttlMs: parts.config.cartTtlMs, maxLineQuantity: parts.config.maxLineQuantity },
    pricing,
  });
  routes.push((app, remote) =>
    carts.routes(app, {
      catalog: remote?.catalog ?? parts.catalog.catalog,
      checkout: remote?.payments ?? parts.payments.checkout,
      payments: remote?.payments ?? parts.payments.payments,
    }),
  );
  jobs.push((plan) => (plan.expiry ? carts.startExpiry(parts.config.cartExpirySweepMs) : undefined));

  // --- catalog depth ---
  // In process in every role that serves REST (the split gateway has the database); their
  // changes reach the catalog services' caches over the invalidation bus.
  routes.push((app) => parts.catalog.depthRoutes(app));

  // --- payouts ---
  const payouts = createPayoutsModule({
    db: parts.db,
    keyring: parts.keyring,
    ledger: parts.ledger,
    outbox: parts.outbox,
    logger: parts.logger,
    wallets: parts.wallets.wallets,
    settings: parts.config.payouts,
    defaultCurrency: parts.config.defaultCurrency,
    localIris: parts.localIris,
  });
  routes.push((app) => payouts.routes(app));
  jobs.push((plan) => payouts.startJobs(plan));

  return {
    /** The buyers' address books, for the privacy export and erasure. */
    addresses: addressBook.addresses,
    /** Carts, for the privacy export and erasure. */
    carts: carts.privacy,
    /** Coupon codes and promotions, for checkout to resolve, redeem and release. */
    discounts: discounts.discounts,
    routes(app: FastifyInstance, remote?: RemoteServices): void {
      for (const add of routes) add(app, remote);
    },
    /** Starts the jobs this role runs; returns the functions that stop them. */
    startJobs(plan: RolePlan): StopJob[] {
      return jobs.flatMap((start) => start(plan) ?? []);
    },
  };
}
