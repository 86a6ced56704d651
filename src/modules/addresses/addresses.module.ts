import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { AddressesRepository } from './addresses.repository.js';
import { addressesRoutes } from './addresses.routes.js';
import { AddressesService } from './addresses.service.js';

export interface AddressesModule {
  addresses: AddressesService;
  routes(app: FastifyInstance): void;
}

/** Buyers' address books, encrypted at rest with the key ring. */
export function createAddressesModule(deps: { db: Kysely<object>; keyring: KeyRing }): AddressesModule {
  const addresses = new AddressesService(new AddressesRepository(deps.db), deps.keyring);
  return { addresses, routes: (app) => addressesRoutes(app, { addresses }) };
}
