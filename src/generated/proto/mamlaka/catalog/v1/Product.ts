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
  _image_url?: 'image_url';
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
}
