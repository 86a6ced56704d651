// Original file: proto/mamlaka/catalog/v1/catalog.proto

import type {
  Image as _mamlaka_catalog_v1_Image,
  Image__Output as _mamlaka_catalog_v1_Image__Output,
} from '../../../mamlaka/catalog/v1/Image.js';

export interface CreateProductRequest {
  name?: string;
  description?: string;
  price?: string;
  /**
   * ISO 4217; the platform's default when unset.
   */
  currency?: string;
  stock?: number;
  image?: _mamlaka_catalog_v1_Image | null;
  /**
   * The tax rates of this class apply; "standard" when unset.
   */
  tax_class?: string;
  _description?: 'description';
  _currency?: 'currency';
  _image?: 'image';
  _tax_class?: 'tax_class';
}

export interface CreateProductRequest__Output {
  name?: string;
  description?: string;
  price?: string;
  /**
   * ISO 4217; the platform's default when unset.
   */
  currency?: string;
  stock?: number;
  image?: _mamlaka_catalog_v1_Image__Output;
  /**
   * The tax rates of this class apply; "standard" when unset.
   */
  tax_class?: string;
}
