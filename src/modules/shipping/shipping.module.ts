import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { ShippingRepository } from './shipping.repository.js';
import { shippingRoutes } from './shipping.routes.js';
import { ShippingService } from './shipping.service.js';

export interface ShippingModule {
  shipping: ShippingService;
  routes(app: FastifyInstance): void;
}

/** Sellers' shipping options: their table, their routes, and the rules a quote reads. */
export function createShippingModule(deps: { db: Kysely<object> }): ShippingModule {
  const shipping = new ShippingService(new ShippingRepository(deps.db));
  return { shipping, routes: (app) => shippingRoutes(app, { shipping }) };
}
