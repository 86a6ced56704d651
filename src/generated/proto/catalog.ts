import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  CatalogServiceClient as _mamlaka_catalog_v1_CatalogServiceClient,
  CatalogServiceDefinition as _mamlaka_catalog_v1_CatalogServiceDefinition,
} from './mamlaka/catalog/v1/CatalogService.js';
import type {
  CreateProductRequest as _mamlaka_catalog_v1_CreateProductRequest,
  CreateProductRequest__Output as _mamlaka_catalog_v1_CreateProductRequest__Output,
} from './mamlaka/catalog/v1/CreateProductRequest.js';
import type {
  DeleteProductRequest as _mamlaka_catalog_v1_DeleteProductRequest,
  DeleteProductRequest__Output as _mamlaka_catalog_v1_DeleteProductRequest__Output,
} from './mamlaka/catalog/v1/DeleteProductRequest.js';
import type {
  DeleteProductResponse as _mamlaka_catalog_v1_DeleteProductResponse,
  DeleteProductResponse__Output as _mamlaka_catalog_v1_DeleteProductResponse__Output,
} from './mamlaka/catalog/v1/DeleteProductResponse.js';
import type {
  GetProductRequest as _mamlaka_catalog_v1_GetProductRequest,
  GetProductRequest__Output as _mamlaka_catalog_v1_GetProductRequest__Output,
} from './mamlaka/catalog/v1/GetProductRequest.js';
import type {
  Image as _mamlaka_catalog_v1_Image,
  Image__Output as _mamlaka_catalog_v1_Image__Output,
} from './mamlaka/catalog/v1/Image.js';
import type {
  ListProductsRequest as _mamlaka_catalog_v1_ListProductsRequest,
  ListProductsRequest__Output as _mamlaka_catalog_v1_ListProductsRequest__Output,
} from './mamlaka/catalog/v1/ListProductsRequest.js';
import type {
  ListProductsResponse as _mamlaka_catalog_v1_ListProductsResponse,
  ListProductsResponse__Output as _mamlaka_catalog_v1_ListProductsResponse__Output,
} from './mamlaka/catalog/v1/ListProductsResponse.js';
import type {
  Product as _mamlaka_catalog_v1_Product,
  Product__Output as _mamlaka_catalog_v1_Product__Output,
} from './mamlaka/catalog/v1/Product.js';
import type {
  UpdateProductRequest as _mamlaka_catalog_v1_UpdateProductRequest,
  UpdateProductRequest__Output as _mamlaka_catalog_v1_UpdateProductRequest__Output,
} from './mamlaka/catalog/v1/UpdateProductRequest.js';
import type {
  Variant as _mamlaka_catalog_v1_Variant,
  Variant__Output as _mamlaka_catalog_v1_Variant__Output,
} from './mamlaka/catalog/v1/Variant.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mamlaka: {
    catalog: {
      v1: {
        /**
         * Products. Prices are decimal strings in their currency ("150000" IDR, "12.50" USD),
         * never floating point. Writes need a seller's access token in the metadata.
         */
        CatalogService: SubtypeConstructor<typeof grpc.Client, _mamlaka_catalog_v1_CatalogServiceClient> & {
          service: _mamlaka_catalog_v1_CatalogServiceDefinition;
        };
        CreateProductRequest: MessageTypeDefinition<
          _mamlaka_catalog_v1_CreateProductRequest,
          _mamlaka_catalog_v1_CreateProductRequest__Output
        >;
        DeleteProductRequest: MessageTypeDefinition<
          _mamlaka_catalog_v1_DeleteProductRequest,
          _mamlaka_catalog_v1_DeleteProductRequest__Output
        >;
        DeleteProductResponse: MessageTypeDefinition<
          _mamlaka_catalog_v1_DeleteProductResponse,
          _mamlaka_catalog_v1_DeleteProductResponse__Output
        >;
        GetProductRequest: MessageTypeDefinition<
          _mamlaka_catalog_v1_GetProductRequest,
          _mamlaka_catalog_v1_GetProductRequest__Output
        >;
        Image: MessageTypeDefinition<_mamlaka_catalog_v1_Image, _mamlaka_catalog_v1_Image__Output>;
        ListProductsRequest: MessageTypeDefinition<
          _mamlaka_catalog_v1_ListProductsRequest,
          _mamlaka_catalog_v1_ListProductsRequest__Output
        >;
        ListProductsResponse: MessageTypeDefinition<
          _mamlaka_catalog_v1_ListProductsResponse,
          _mamlaka_catalog_v1_ListProductsResponse__Output
        >;
        Product: MessageTypeDefinition<_mamlaka_catalog_v1_Product, _mamlaka_catalog_v1_Product__Output>;
        UpdateProductRequest: MessageTypeDefinition<
          _mamlaka_catalog_v1_UpdateProductRequest,
          _mamlaka_catalog_v1_UpdateProductRequest__Output
        >;
        Variant: MessageTypeDefinition<_mamlaka_catalog_v1_Variant, _mamlaka_catalog_v1_Variant__Output>;
      };
    };
  };
}
