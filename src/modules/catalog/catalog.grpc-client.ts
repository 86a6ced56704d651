import type { CatalogServiceClient } from '../../generated/proto/mamlaka/catalog/v1/CatalogService.js';
import type { ListProductsResponse__Output } from '../../generated/proto/mamlaka/catalog/v1/ListProductsResponse.js';
import type { Product__Output } from '../../generated/proto/mamlaka/catalog/v1/Product.js';
import type { Actor } from '../../platform/auth/policy.js';
import { AppError, isAppError } from '../../platform/errors.js';
import {
  channelOptions,
  type ClientOptions,
  credentialsOf,
  ServiceClient,
  targetOf,
} from '../../platform/grpc/client.js';
import { loadContracts } from '../../platform/grpc/contracts.js';
import type { CatalogApi } from './catalog.api.js';
import type { PublicProduct } from './catalog.rules.js';
import type {
  CreateProductInput,
  ImageUpload,
  ListProductsQuery,
  ProductPage,
  UpdateProductInput,
} from './catalog.service.js';

/**
 * Proto3 does not send a scalar holding its default value, so an empty description and a
 * stock of 0 arrive unset, and a missing image_url or thumbnail_url stands for null. Keys in the order
 * toPublicProduct writes them, so the rendered JSON is the same bytes.
 */
const fromMessage = (message: Product__Output): PublicProduct => ({
  id: message.id ?? '',
  user_id: message.user_id ?? '',
  name: message.name ?? '',
  description: message.description ?? '',
  price: message.price ?? '',
  currency: message.currency ?? '',
  stock: message.stock ?? 0,
  image_url: message.image_url ?? null,
  thumbnail_url: message.thumbnail_url ?? null,
  created_at: message.created_at ?? '',
  updated_at: message.updated_at ?? '',
  category_ids: message.category_ids ?? [],
  tax_class: message.tax_class ?? '',
  variants: (message.variants ?? []).map((variant) => ({
    id: variant.id ?? '',
    sku: variant.sku ?? '',
    options: variant.options ?? {},
    price: variant.price ?? '',
    stock: variant.stock ?? 0,
    position: variant.position ?? 0,
  })),
});

const imageOf = (image: ImageUpload | undefined) => (image ? { image: { content: image.bytes } } : {});

/**
 * The Image message has no form-field name, so the service names image errors `image`; a
 * REST client that sent its file as `image_url` (the seed's name) is told about `image_url`,
 * as the in-process service would have told it.
 */
function renameImageField(error: unknown, image: ImageUpload | undefined): unknown {
  if (!image || image.field === 'image' || !isAppError(error)) return error;
  const fields = error.details.fields;
  if (!fields?.some((field) => field.field === 'image')) return error;
  const rename = (message: string) => message.replace(/^image\b/, image.field);
  return new AppError(error.kind, error.code, rename(error.message), {
    ...error.details,
    fields: fields.map((field) =>
      field.field === 'image' ? { ...field, field: image.field, message: rename(field.message) } : field,
    ),
  });
}

/**
 * The catalog service over gRPC, with the in-process service's methods: what the split
 * gateway hands the catalog routes instead of CatalogService.
 */
export class CatalogGrpcClient extends ServiceClient<CatalogServiceClient> implements CatalogApi {
  constructor(address: string, options: ClientOptions) {
    const { CatalogService } = loadContracts().catalog.mamlaka.catalog.v1;
    super(new CatalogService(targetOf(address), credentialsOf(options), channelOptions), options);
  }

  async create(actor: Actor | undefined, input: CreateProductInput, image?: ImageUpload) {
    const request = { ...input, ...imageOf(image) };
    try {
      return fromMessage(await this.call<Product__Output>(this.client.CreateProduct, request, actor));
    } catch (error) {
      throw renameImageField(error, image);
    }
  }

  async update(actor: Actor | undefined, id: string, input: UpdateProductInput, image?: ImageUpload) {
    const request = { id, ...input, ...imageOf(image) };
    try {
      return fromMessage(await this.call<Product__Output>(this.client.UpdateProduct, request, actor));
    } catch (error) {
      throw renameImageField(error, image);
    }
  }

  async remove(actor: Actor | undefined, id: string) {
    await this.call(this.client.DeleteProduct, { id }, actor);
  }

  async retrieve(id: string) {
    return fromMessage(await this.call<Product__Output>(this.client.GetProduct, { id }, undefined));
  }

  async list(query: ListProductsQuery): Promise<ProductPage> {
    const page = await this.call<ListProductsResponse__Output>(this.client.ListProducts, query, undefined);
    return { items: page.products.map(fromMessage), nextCursor: page.next_cursor ?? null };
  }
}
