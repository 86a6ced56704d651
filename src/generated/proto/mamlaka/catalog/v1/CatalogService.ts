// Original file: proto/mamlaka/catalog/v1/catalog.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  CreateProductRequest as _mamlaka_catalog_v1_CreateProductRequest,
  CreateProductRequest__Output as _mamlaka_catalog_v1_CreateProductRequest__Output,
} from '../../../mamlaka/catalog/v1/CreateProductRequest.js';
import type {
  DeleteProductRequest as _mamlaka_catalog_v1_DeleteProductRequest,
  DeleteProductRequest__Output as _mamlaka_catalog_v1_DeleteProductRequest__Output,
} from '../../../mamlaka/catalog/v1/DeleteProductRequest.js';
import type {
  DeleteProductResponse as _mamlaka_catalog_v1_DeleteProductResponse,
  DeleteProductResponse__Output as _mamlaka_catalog_v1_DeleteProductResponse__Output,
} from '../../../mamlaka/catalog/v1/DeleteProductResponse.js';
import type {
  GetProductRequest as _mamlaka_catalog_v1_GetProductRequest,
  GetProductRequest__Output as _mamlaka_catalog_v1_GetProductRequest__Output,
} from '../../../mamlaka/catalog/v1/GetProductRequest.js';
import type {
  ListProductsRequest as _mamlaka_catalog_v1_ListProductsRequest,
  ListProductsRequest__Output as _mamlaka_catalog_v1_ListProductsRequest__Output,
} from '../../../mamlaka/catalog/v1/ListProductsRequest.js';
import type {
  ListProductsResponse as _mamlaka_catalog_v1_ListProductsResponse,
  ListProductsResponse__Output as _mamlaka_catalog_v1_ListProductsResponse__Output,
} from '../../../mamlaka/catalog/v1/ListProductsResponse.js';
import type {
  Product as _mamlaka_catalog_v1_Product,
  Product__Output as _mamlaka_catalog_v1_Product__Output,
} from '../../../mamlaka/catalog/v1/Product.js';
import type {
  UpdateProductRequest as _mamlaka_catalog_v1_UpdateProductRequest,
  UpdateProductRequest__Output as _mamlaka_catalog_v1_UpdateProductRequest__Output,
} from '../../../mamlaka/catalog/v1/UpdateProductRequest.js';

/**
 * Products. Prices are decimal strings in their currency ("150000" IDR, "12.50" USD),
 * never floating point. Writes need a seller's access token in the metadata.
 */
export interface CatalogServiceClient extends grpc.Client {
  CreateProduct(
    argument: _mamlaka_catalog_v1_CreateProductRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  CreateProduct(
    argument: _mamlaka_catalog_v1_CreateProductRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  CreateProduct(
    argument: _mamlaka_catalog_v1_CreateProductRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  CreateProduct(
    argument: _mamlaka_catalog_v1_CreateProductRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  createProduct(
    argument: _mamlaka_catalog_v1_CreateProductRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  createProduct(
    argument: _mamlaka_catalog_v1_CreateProductRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  createProduct(
    argument: _mamlaka_catalog_v1_CreateProductRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  createProduct(
    argument: _mamlaka_catalog_v1_CreateProductRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Soft delete: the product disappears from reads; orders keep their copy.
   */
  DeleteProduct(
    argument: _mamlaka_catalog_v1_DeleteProductRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_DeleteProductResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteProduct(
    argument: _mamlaka_catalog_v1_DeleteProductRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_DeleteProductResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteProduct(
    argument: _mamlaka_catalog_v1_DeleteProductRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_DeleteProductResponse__Output>,
  ): grpc.ClientUnaryCall;
  DeleteProduct(
    argument: _mamlaka_catalog_v1_DeleteProductRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_DeleteProductResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Soft delete: the product disappears from reads; orders keep their copy.
   */
  deleteProduct(
    argument: _mamlaka_catalog_v1_DeleteProductRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_DeleteProductResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteProduct(
    argument: _mamlaka_catalog_v1_DeleteProductRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_DeleteProductResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteProduct(
    argument: _mamlaka_catalog_v1_DeleteProductRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_DeleteProductResponse__Output>,
  ): grpc.ClientUnaryCall;
  deleteProduct(
    argument: _mamlaka_catalog_v1_DeleteProductRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_DeleteProductResponse__Output>,
  ): grpc.ClientUnaryCall;

  GetProduct(
    argument: _mamlaka_catalog_v1_GetProductRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  GetProduct(
    argument: _mamlaka_catalog_v1_GetProductRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  GetProduct(
    argument: _mamlaka_catalog_v1_GetProductRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  GetProduct(
    argument: _mamlaka_catalog_v1_GetProductRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  getProduct(
    argument: _mamlaka_catalog_v1_GetProductRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  getProduct(
    argument: _mamlaka_catalog_v1_GetProductRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  getProduct(
    argument: _mamlaka_catalog_v1_GetProductRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  getProduct(
    argument: _mamlaka_catalog_v1_GetProductRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Keyset pages: pass next_cursor back as cursor for the next page.
   */
  ListProducts(
    argument: _mamlaka_catalog_v1_ListProductsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_ListProductsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListProducts(
    argument: _mamlaka_catalog_v1_ListProductsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_ListProductsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListProducts(
    argument: _mamlaka_catalog_v1_ListProductsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_ListProductsResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListProducts(
    argument: _mamlaka_catalog_v1_ListProductsRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_ListProductsResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Keyset pages: pass next_cursor back as cursor for the next page.
   */
  listProducts(
    argument: _mamlaka_catalog_v1_ListProductsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_ListProductsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listProducts(
    argument: _mamlaka_catalog_v1_ListProductsRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_ListProductsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listProducts(
    argument: _mamlaka_catalog_v1_ListProductsRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_ListProductsResponse__Output>,
  ): grpc.ClientUnaryCall;
  listProducts(
    argument: _mamlaka_catalog_v1_ListProductsRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_ListProductsResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Changes only the fields that are set.
   */
  UpdateProduct(
    argument: _mamlaka_catalog_v1_UpdateProductRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  UpdateProduct(
    argument: _mamlaka_catalog_v1_UpdateProductRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  UpdateProduct(
    argument: _mamlaka_catalog_v1_UpdateProductRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  UpdateProduct(
    argument: _mamlaka_catalog_v1_UpdateProductRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Changes only the fields that are set.
   */
  updateProduct(
    argument: _mamlaka_catalog_v1_UpdateProductRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  updateProduct(
    argument: _mamlaka_catalog_v1_UpdateProductRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  updateProduct(
    argument: _mamlaka_catalog_v1_UpdateProductRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
  updateProduct(
    argument: _mamlaka_catalog_v1_UpdateProductRequest,
    callback: grpc.requestCallback<_mamlaka_catalog_v1_Product__Output>,
  ): grpc.ClientUnaryCall;
}

/**
 * Products. Prices are decimal strings in their currency ("150000" IDR, "12.50" USD),
 * never floating point. Writes need a seller's access token in the metadata.
 */
export interface CatalogServiceHandlers extends grpc.UntypedServiceImplementation {
  CreateProduct: grpc.handleUnaryCall<
    _mamlaka_catalog_v1_CreateProductRequest__Output,
    _mamlaka_catalog_v1_Product
  >;

  /**
   * Soft delete: the product disappears from reads; orders keep their copy.
   */
  DeleteProduct: grpc.handleUnaryCall<
    _mamlaka_catalog_v1_DeleteProductRequest__Output,
    _mamlaka_catalog_v1_DeleteProductResponse
  >;

  GetProduct: grpc.handleUnaryCall<
    _mamlaka_catalog_v1_GetProductRequest__Output,
    _mamlaka_catalog_v1_Product
  >;

  /**
   * Keyset pages: pass next_cursor back as cursor for the next page.
   */
  ListProducts: grpc.handleUnaryCall<
    _mamlaka_catalog_v1_ListProductsRequest__Output,
    _mamlaka_catalog_v1_ListProductsResponse
  >;

  /**
   * Changes only the fields that are set.
   */
  UpdateProduct: grpc.handleUnaryCall<
    _mamlaka_catalog_v1_UpdateProductRequest__Output,
    _mamlaka_catalog_v1_Product
  >;
}

export interface CatalogServiceDefinition extends grpc.ServiceDefinition {
  CreateProduct: MethodDefinition<
    _mamlaka_catalog_v1_CreateProductRequest,
    _mamlaka_catalog_v1_Product,
    _mamlaka_catalog_v1_CreateProductRequest__Output,
    _mamlaka_catalog_v1_Product__Output
  >;
  DeleteProduct: MethodDefinition<
    _mamlaka_catalog_v1_DeleteProductRequest,
    _mamlaka_catalog_v1_DeleteProductResponse,
    _mamlaka_catalog_v1_DeleteProductRequest__Output,
    _mamlaka_catalog_v1_DeleteProductResponse__Output
  >;
  GetProduct: MethodDefinition<
    _mamlaka_catalog_v1_GetProductRequest,
    _mamlaka_catalog_v1_Product,
    _mamlaka_catalog_v1_GetProductRequest__Output,
    _mamlaka_catalog_v1_Product__Output
  >;
  ListProducts: MethodDefinition<
    _mamlaka_catalog_v1_ListProductsRequest,
    _mamlaka_catalog_v1_ListProductsResponse,
    _mamlaka_catalog_v1_ListProductsRequest__Output,
    _mamlaka_catalog_v1_ListProductsResponse__Output
  >;
  UpdateProduct: MethodDefinition<
    _mamlaka_catalog_v1_UpdateProductRequest,
    _mamlaka_catalog_v1_Product,
    _mamlaka_catalog_v1_UpdateProductRequest__Output,
    _mamlaka_catalog_v1_Product__Output
  >;
}
