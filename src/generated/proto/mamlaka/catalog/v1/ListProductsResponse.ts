// Original file: proto/mamlaka/catalog/v1/catalog.proto

import type {
  Product as _mamlaka_catalog_v1_Product,
  Product__Output as _mamlaka_catalog_v1_Product__Output,
} from '../../../mamlaka/catalog/v1/Product.js';

export interface ListProductsResponse {
  products?: _mamlaka_catalog_v1_Product[];
  next_cursor?: string;
  _next_cursor?: 'next_cursor';
}

export interface ListProductsResponse__Output {
  products: _mamlaka_catalog_v1_Product__Output[];
  next_cursor?: string;
}
