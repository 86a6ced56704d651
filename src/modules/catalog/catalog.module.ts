import type { GrpcServer } from '../../platform/grpc/server.js';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { InvalidationBus } from '../../platform/cache/invalidation-bus.js';
import { ReadCache } from '../../platform/cache/read-cache.js';
import type { RenderedResponse } from '../../platform/http/rendered-response.js';
import type { ObjectStorage } from '../../platform/storage/object-storage.js';
import type { CatalogApi } from './catalog.api.js';
import { catalogGrpc } from './catalog.grpc.js';
import { CatalogRepository } from './catalog.repository.js';
import { type CatalogCaches, catalogRoutes } from './catalog.routes.js';
import type { Encoded } from '../../platform/grpc/encoded.js';
import type { Product as ProductMessage } from '../../generated/proto/mamlaka/catalog/v1/Product.js';
import { CatalogService } from './catalog.service.js';

export interface CatalogModule {
  catalog: CatalogService;
  /** The REST routes, over the in-process service or, in the split gateway, over `remote`. */
  routes(app: FastifyInstance, remote?: CatalogApi): void;
  /** Serves mamlaka.catalog.v1.CatalogService on the gRPC server. */
  grpc?(server: GrpcServer): void;
}

/**
 * Wires the catalog: repository, service, the read caches in front of it (dropped on every
 * instance after each committed change) and its REST and gRPC adapters.
 */
export function createCatalogModule(deps: {
  db: Kysely<object>;
  storage: ObjectStorage;
  bus: InvalidationBus;
  logger: Logger;
  defaultCurrency: string;
  imageMaxBytes: number;
  cacheTtlMs: number;
  sandbox: boolean;
}): CatalogModule {
  const caches: CatalogCaches = {
    products: new ReadCache<RenderedResponse>('catalog.product', deps.bus, {
      maxEntries: 20_000,
      ttlMs: deps.cacheTtlMs,
    }),
    lists: new ReadCache<RenderedResponse>('catalog.list', deps.bus, {
      maxEntries: 2_000,
      ttlMs: deps.cacheTtlMs,
    }),
  };
  // Products as gRPC messages, encoded; the same topic, so the same invalidations.
  const productMessages = new ReadCache<Encoded<ProductMessage>>('catalog.product', deps.bus, {
    maxEntries: 20_000,
    ttlMs: deps.cacheTtlMs,
  });
  const catalog = new CatalogService(
    CatalogRepository.of(deps.db),
    deps.storage,
    { defaultCurrency: deps.defaultCurrency, imageMaxBytes: deps.imageMaxBytes },
    deps.logger,
    async (productId) => {
      await caches.products.invalidate(productId);
      await caches.lists.invalidateAll();
    },
  );
  return {
    catalog,
    routes: (app, remote) =>
      catalogRoutes(app, { catalog: remote ?? catalog, caches, sandbox: deps.sandbox }),
    grpc: (server) => catalogGrpc(server, { catalog, products: productMessages, rendered: caches.products }),
  };
}
