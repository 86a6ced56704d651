import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { MidtransClient, type MidtransClientOptions } from './midtrans.client.js';
import { MidtransNotifications } from './midtrans.notifications.js';
import type { GatewayOrders } from './midtrans.orders.js';
import { midtransRoutes } from './midtrans.routes.js';

export interface MidtransModule {
  /** Snap, status and refund calls, for the modules that take money through Midtrans. */
  client: MidtransClient;
  /** Serves the notification endpoint, settling whichever of `orders` a notification pays. */
  routes(app: FastifyInstance, orders: readonly GatewayOrders[]): MidtransNotifications;
}

/** The Midtrans gateway: its API client and its notifications, knowing nothing of what is paid for. */
export function createMidtransModule(deps: {
  db: Kysely<object>;
  logger: Logger;
  settings: MidtransClientOptions;
}): MidtransModule {
  const client = new MidtransClient(deps.settings);
  return {
    client,
    routes(app, orders) {
      const notifications = new MidtransNotifications(
        deps.db,
        client,
        deps.settings.serverKey,
        orders,
        deps.logger,
      );
      midtransRoutes(app, notifications);
      return notifications;
    },
  };
}
