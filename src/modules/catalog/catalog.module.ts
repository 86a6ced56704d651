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
import { CategoriesRepository } from './catalog.categories.repository.js';
import { CategoryService } from './catalog.categories.js';
import { categoryRoutes } from './catalog.categories.routes.js';
import { CollectionsRepository } from './catalog.collections.repository.js';
import { CollectionService } from './catalog.collections.js';
import { collectionRoutes } from './catalog.collections.routes.js';
import { GalleryRepository } from './catalog.gallery.repository.js';
import { ProductGallery } from './catalog.gallery.js';
import { galleryRoutes } from './catalog.gallery.routes.js';
import { ProductImages } from './catalog.images.js';
import { ProductVariants } from './catalog.variants.js';
import { VariantsRepository } from './catalog.variants.repository.js';
import { variantRoutes } from './catalog.variants.routes.js';

export interface CatalogModule {
  catalog: CatalogService;
  /** The REST routes, over the in-process service or, in the split gateway, over `remote`. */
  routes(app: FastifyInstance, remote?: CatalogApi): void;
  /** Serves mamlaka.catalog.v1.CatalogService on the gRPC server. */
  grpc?(server: GrpcServer): void;
  /** Categories, collections, galleries and variants: served in process in every role with REST. */
  depth: {
    categories: CategoryService;
    collections: CollectionService;
    gallery: ProductGallery;
    variants: ProductVariants;
  };
  depthRoutes(app: FastifyInstance): void;
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
  const changed = {
    // Sent together, not one after another: with Redis each is a round trip, and a group of
    // checkouts answers its buyers only after its products' invalidations. Listings are
    // dropped once for all of them.
    async product(...productIds: string[]) {
      await Promise.all([
        ...productIds.map((id) => caches.products.invalidate(id)),
        caches.lists.invalidateAll(),
      ]);
    },
    listings: () => caches.lists.invalidateAll(),
  };
  const catalog = new CatalogService(
    CatalogRepository.of(deps.db),
    VariantsRepository.of(deps.db),
    deps.storage,
    { defaultCurrency: deps.defaultCurrency, imageMaxBytes: deps.imageMaxBytes },
    deps.logger,
    changed.product,
  );
  const depth = {
    categories: new CategoryService(CategoriesRepository.of(deps.db), changed),
    collections: new CollectionService(CollectionsRepository.of(deps.db), catalog),
    gallery: new ProductGallery(
      GalleryRepository.of(deps.db),
      new ProductImages(deps.storage, deps.imageMaxBytes, deps.logger),
      changed.product,
    ),
    variants: new ProductVariants(VariantsRepository.of(deps.db), changed.product),
  };
  return {
    depth,
    depthRoutes(app) {
      categoryRoutes(app, depth);
      collectionRoutes(app, depth);
      galleryRoutes(app, depth);
      variantRoutes(app, depth);
    },
    catalog,
    routes: (app, remote) =>
      catalogRoutes(app, { catalog: remote ?? catalog, caches, sandbox: deps.sandbox }),
    grpc: (server) => catalogGrpc(server, { catalog, products: productMessages, rendered: caches.products }),
  };
}
