import type { CatalogService } from './catalog.service.js';

/**
 * What the REST routes need of the catalog module. The all-in-one process passes the service
 * itself; the split gateway passes a gRPC client with the same methods (catalog.grpc-client.ts).
 */
export type CatalogApi = Pick<CatalogService, 'create' | 'update' | 'remove' | 'retrieve' | 'list'>;
