import type { CatalogServiceHandlers } from '../../generated/proto/mamlaka/catalog/v1/CatalogService.js';
import type { Image__Output } from '../../generated/proto/mamlaka/catalog/v1/Image.js';
import type { Product as ProductMessage } from '../../generated/proto/mamlaka/catalog/v1/Product.js';
import { loadContracts } from '../../platform/grpc/contracts.js';
import { asMessage, type Encoded, encodeResponse } from '../../platform/grpc/encoded.js';
import type { ReadCache } from '../../platform/cache/read-cache.js';
import type { RenderedResponse } from '../../platform/http/rendered-response.js';
import type { GrpcServer } from '../../platform/grpc/server.js';
import { present, validatorFor } from '../../platform/grpc/validate.js';
import type { CatalogApi } from './catalog.api.js';
import type { ProductSort } from './catalog.cursor.js';
import type { PublicProduct } from './catalog.rules.js';
import {
  CreateProductBody,
  ListProductsQuery,
  ProductIdParams,
  UpdateProductBody,
} from './catalog.schemas.js';
import type {
  CreateProductInput,
  ImageUpload,
  ListProductsQuery as ListQuery,
  UpdateProductInput,
} from './catalog.service.js';

const createBody = validatorFor<CreateProductInput>(CreateProductBody);
const updateBody = validatorFor<UpdateProductInput>(UpdateProductBody);
const byId = validatorFor<{ id: string }>(ProductIdParams);
const listQuery = validatorFor<Omit<ListQuery, 'limit' | 'sort'> & { limit?: number; sort?: ProductSort }>(
  ListProductsQuery,
);

/**
 * An Image message is an upload as the multipart form gives it. A set but empty message is
 * still an upload (and refused as no image), like a file part with a name and no bytes.
 */
const upload = (image: Image__Output | undefined): ImageUpload | undefined =>
  image ? { field: 'image', bytes: image.content ?? Buffer.alloc(0) } : undefined;

/** Protobuf has no null: a product without an image leaves image_url and thumbnail_url unset. */
function toMessage({ image_url, thumbnail_url, ...product }: PublicProduct): ProductMessage {
  return {
    ...product,
    ...(image_url === null ? {} : { image_url }),
    ...(thumbnail_url === null ? {} : { thumbnail_url }),
  };
}

/** gRPC adapter of the catalog (mamlaka.catalog.v1.CatalogService): the same calls as the REST routes. */
export function catalogGrpc(
  server: GrpcServer,
  {
    catalog,
    products,
    rendered,
  }: {
    catalog: CatalogApi;
    products?: ReadCache<Encoded<ProductMessage>>;
    /** The REST route's cache of the same products, read before the database. */
    rendered?: Pick<ReadCache<RenderedResponse>, 'peek'>;
  },
) {
  const { service } = loadContracts().catalog.mamlaka.catalog.v1.CatalogService;
  // As the REST route keeps rendered JSON, products are kept encoded, dropped on every
  // instance after each committed change to the product: a hit is sent as it is. A miss
  // takes the product from the REST route's cache when it is there (both caches hear the
  // same invalidations, so what one holds the other may too), else from the database.
  const load = async (id: string) => {
    const shown = rendered?.peek(id);
    const product = shown
      ? (JSON.parse(shown.body) as { results: PublicProduct }).results
      : await catalog.retrieve(id);
    return encodeResponse(service.GetProduct, toMessage(product));
  };
  const retrieve = async (id: string): Promise<ProductMessage> => {
    if (!products) return toMessage(await catalog.retrieve(id));
    const encoded = products.peek(id) ?? (await products.getOrLoad(id, () => load(id)));
    return asMessage(encoded!);
  };
  const handlers: CatalogServiceHandlers = {
    CreateProduct: server.unary(
      'CreateProduct',
      async (request, { actor }) => {
        const { image, ...fields } = present(request);
        return toMessage(await catalog.create(actor, createBody(fields), upload(image)));
      },
      { scope: 'products:write' },
    ),
    UpdateProduct: server.unary(
      'UpdateProduct',
      async (request, { actor }) => {
        const { id, image, ...fields } = present(request);
        const product = await catalog.update(actor, byId({ id }).id, updateBody(fields), upload(image));
        return toMessage(product);
      },
      { scope: 'products:write' },
    ),
    DeleteProduct: server.unary(
      'DeleteProduct',
      async (request, { actor }) => {
        await catalog.remove(actor, byId(present(request)).id);
        return {};
      },
      { scope: 'products:write' },
    ),
    GetProduct: server.unary(
      'GetProduct',
      async (request) => {
        // Only a product loaded under a valid id is cached: a hit needs no validation.
        const hit = request.id ? products?.peek(request.id) : undefined;
        return hit ? asMessage(hit) : retrieve(byId(present(request)).id);
      },
      { scope: 'products:read' },
    ),
    ListProducts: server.unary(
      'ListProducts',
      async (request) => {
        // The schema fills these defaults in, as it does for the REST query; the type cannot know that.
        const query = listQuery(present(request));
        const page = await catalog.list({ ...query, limit: query.limit ?? 20, sort: query.sort ?? 'newest' });
        return {
          products: page.items.map(toMessage),
          ...(page.nextCursor === null ? {} : { next_cursor: page.nextCursor }),
        };
      },
      { scope: 'products:read' },
    ),
  };
  server.add('mamlaka.catalog.v1.CatalogService', service, handlers);
}
