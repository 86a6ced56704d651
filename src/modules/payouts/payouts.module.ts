import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { PayoutsSettings } from '../../config.payouts.js';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import type { Outbox } from '../../platform/events/outbox.js';
import { repeatEvery, type StopJob, stopAll } from '../../platform/repeat.js';
import type { RolePlan } from '../../roles.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { IrisClient, type IrisClientOptions } from '../midtrans/iris.client.js';
import type { WalletsService } from '../wallets/wallets.service.js';
import { BankPayouts } from './payouts.bank.js';
import { payoutsRoutes } from './payouts.routes.js';
import { PayoutSchedules } from './payouts.schedules.js';
import { PayoutsService } from './payouts.service.js';

export interface PayoutsModule {
  payouts: PayoutsService;
  bank: BankPayouts;
  schedules: PayoutSchedules;
  routes(app: FastifyInstance): void;
  /** The Iris reconciler and the schedule runner, in the role that runs single-leader jobs. */
  startJobs(plan: RolePlan): StopJob | undefined;
}

/**
 * Wires payouts to banks: destinations and schedules, Iris (when configured, or the
 * bundled sandbox's `iris` settings), and the wallets module's payouts routed through it.
 */
export function createPayoutsModule(deps: {
  db: Kysely<object>;
  keyring: KeyRing;
  ledger: LedgerService;
  outbox: Outbox;
  logger: Logger;
  wallets: WalletsService;
  settings: PayoutsSettings;
  defaultCurrency: string;
  /** The bundled sandbox's Iris, used when IRIS_* are not set. */
  localIris?: IrisClientOptions & { merchantKey: string };
}): PayoutsModule {
  const { settings } = deps;
  const irisOptions = settings.iris ? { ...settings.iris, timeoutMs: settings.timeoutMs } : deps.localIris;
  const iris = irisOptions
    ? { client: new IrisClient(irisOptions), merchantKey: irisOptions.merchantKey }
    : undefined;
  const payouts = new PayoutsService(deps.db, deps.keyring, deps.defaultCurrency);
  const bank = new BankPayouts(deps.db, deps.keyring, deps.ledger, deps.outbox, deps.logger, iris);
  const schedules = new PayoutSchedules(deps.db, deps.keyring, deps.ledger, deps.wallets, deps.logger);
  deps.wallets.routePayoutsThrough(bank);
  return {
    payouts,
    bank,
    schedules,
    routes: (app) => payoutsRoutes(app, { payouts, bank }),
    startJobs(plan) {
      if (!plan.refundReconciler) return undefined;
      const stops = [
        repeatEvery(
          settings.scheduleIntervalMs,
          () => schedules.runDue(new Date(), settings.batchSize),
          deps.logger,
          'scheduled payouts failed',
        ),
      ];
      if (iris) {
        stops.push(
          repeatEvery(
            settings.reconcileIntervalMs,
            () => bank.reconcile(settings.stuckAfterMs, settings.batchSize),
            deps.logger,
            'bank payout reconciliation failed',
          ),
        );
      }
      return stopAll(stops);
    },
  };
}
