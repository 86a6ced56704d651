import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { DiscountsRepository } from './discounts.repository.js';
import { discountsRoutes } from './discounts.routes.js';
import { DiscountsService } from './discounts.service.js';

export interface DiscountsModule {
  discounts: DiscountsService;
  routes(app: FastifyInstance): void;
}

/** Coupon codes and automatic promotions: their tables, their routes, and what checkout resolves and redeems. */
export function createDiscountsModule(deps: { db: Kysely<object> }): DiscountsModule {
  const discounts = new DiscountsService(new DiscountsRepository(deps.db));
  return { discounts, routes: (app) => discountsRoutes(app, { discounts }) };
}
