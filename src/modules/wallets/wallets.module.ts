import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { databaseOutbox, type Outbox } from '../../platform/events/outbox.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { MidtransClient } from '../midtrans/midtrans.client.js';
import type { GatewayOrders } from '../midtrans/midtrans.orders.js';
import { GatewayTopUps } from './wallets.gateway-top-ups.js';
import { WalletHistory } from './wallets.history.js';
import { walletHistoryRoutes } from './wallets.history-routes.js';
import { WalletsRepository } from './wallets.repository.js';
import { walletsRoutes } from './wallets.routes.js';
import { WalletsService } from './wallets.service.js';

export interface WalletsModule {
  wallets: WalletsService;
  /** Statements and payout lists, read from the ledger. */
  history: WalletHistory;
  /** Top-ups as Midtrans sees them (what its notifications settle); absent without Midtrans. */
  gatewayOrders?: GatewayOrders;
  routes(app: FastifyInstance): void;
}

/** Wires the wallets module: its repository, its services and its REST adapter. */
export function createWalletsModule(deps: {
  db: Kysely<object>;
  ledger: LedgerService;
  mode: 'sandbox' | 'live';
  /** The most one top-up may add (MAX_ORDER_AMOUNT_MINOR). */
  maxTopUpMinor: bigint;
  outbox?: Outbox;
  /** When Midtrans is configured, top-ups can be paid through it. */
  midtrans?: MidtransClient;
  /** The web app's public origin (Midtrans's finish redirect goes back there). */
  appUrl?: string;
}): WalletsModule {
  const repo = WalletsRepository.of(deps.db);
  const gatewayTopUps = deps.midtrans
    ? new GatewayTopUps(deps.db, repo, deps.ledger, deps.midtrans, deps.appUrl)
    : undefined;
  const wallets = new WalletsService(
    deps.db,
    deps.ledger,
    deps.mode,
    deps.maxTopUpMinor,
    deps.outbox ?? databaseOutbox,
    gatewayTopUps,
  );
  const history = new WalletHistory(deps.ledger, repo);
  return {
    wallets,
    history,
    gatewayOrders: gatewayTopUps,
    routes: (app) => {
      walletsRoutes(app, { wallets });
      walletHistoryRoutes(app, { history });
    },
  };
}
