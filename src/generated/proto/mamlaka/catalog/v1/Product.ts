// Original file: proto/mamlaka/catalog/v1/catalog.proto

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
}
