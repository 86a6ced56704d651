// Original file: proto/mamlaka/catalog/v1/catalog.proto

import type {
  Image as _mamlaka_catalog_v1_Image,
  Image__Output as _mamlaka_catalog_v1_Image__Output,
} from '../../../mamlaka/catalog/v1/Image.js';

export interface UpdateProductRequest {
  id?: string;
  name?: string;
  description?: string;
  price?: string;
  currency?: string;
  stock?: number;
  image?: _mamlaka_catalog_v1_Image | null;
  tax_class?: string;
  _name?: 'name';
  _description?: 'description';
  _price?: 'price';
  _currency?: 'currency';
  _stock?: 'stock';
  _image?: 'image';
  _tax_class?: 'tax_class';
}

export interface UpdateProductRequest__Output {
  id?: string;
  name?: string;
  description?: string;
  price?: string;
  currency?: string;
  stock?: number;
  image?: _mamlaka_catalog_v1_Image__Output;
  tax_class?: string;
}
