// Original file: proto/mamlaka/catalog/v1/catalog.proto

import type {
  Variant as _mamlaka_catalog_v1_Variant,
  Variant__Output as _mamlaka_catalog_v1_Variant__Output,
} from '../../../mamlaka/catalog/v1/Variant.js';

export interface Product {
  id?: string;
  /**
   * The owning seller.
   */
  user_id?: string;
  name?: string;
  description?: string;
  price?: string;
  currency?: string;
  stock?: number;
  image_url?: string;
  created_at?: string;
  updated_at?: string;
  /**
   * The picture at most 400 px on its longer side; unset without a picture (or for one
   * stored before thumbnails existed). image_url is the picture re-encoded as WebP.
   */
  thumbnail_url?: string;
  /**
   * The categories the product is filed under.
   */
  category_ids?: string[];
  /**
   * The tax rates of this class apply to it; "standard" by default.
   */
  tax_class?: string;
  /**
   * What is bought of a product that has variants; then price is their lowest and stock their total.
   */
  variants?: _mamlaka_catalog_v1_Variant[];
  _image_url?: 'image_url';
  _thumbnail_url?: 'thumbnail_url';
}

export interface Product__Output {
  id?: string;
  /**
   * The owning seller.
   */
  user_id?: string;
  name?: string;
  description?: string;
  price?: string;
  currency?: string;
  stock?: number;
  image_url?: string;
  created_at?: string;
  updated_at?: string;
  /**
   * The picture at most 400 px on its longer side; unset without a picture (or for one
   * stored before thumbnails existed). image_url is the picture re-encoded as WebP.
   */
  thumbnail_url?: string;
  /**
   * The categories the product is filed under.
   */
  category_ids: string[];
  /**
   * The tax rates of this class apply to it; "standard" by default.
   */
  tax_class?: string;
  /**
   * What is bought of a product that has variants; then price is their lowest and stock their total.
   */
  variants: _mamlaka_catalog_v1_Variant__Output[];
}
