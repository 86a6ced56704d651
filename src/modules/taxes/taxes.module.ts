import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { TaxesRepository } from './taxes.repository.js';
import { taxesRoutes } from './taxes.routes.js';
import { TaxesService } from './taxes.service.js';

export interface TaxesModule {
  taxes: TaxesService;
  routes(app: FastifyInstance): void;
}

/** Tax rates: their table, their admin routes, and the rates a quote reads. */
export function createTaxesModule(deps: { db: Kysely<object> }): TaxesModule {
  const taxes = new TaxesService(new TaxesRepository(deps.db));
  return { taxes, routes: (app) => taxesRoutes(app, { taxes }) };
}
