// Original file: proto/mamlaka/catalog/v1/catalog.proto

export interface ListProductsRequest {
  /**
   * 1 to 100, default 20.
   */
  limit?: number;
  cursor?: string;
  seller_id?: string;
  min_price?: string;
  max_price?: string;
  currency?: string;
  in_stock?: boolean;
  /**
   * Full-text search.
   */
  q?: string;
  /**
   * newest (default), price_asc or price_desc.
   */
  sort?: string;
  /**
   * A category's id or slug: its products and its descendants'.
   */
  category?: string;
  _limit?: 'limit';
  _cursor?: 'cursor';
  _seller_id?: 'seller_id';
  _min_price?: 'min_price';
  _max_price?: 'max_price';
  _currency?: 'currency';
  _in_stock?: 'in_stock';
  _q?: 'q';
  _sort?: 'sort';
  _category?: 'category';
}

export interface ListProductsRequest__Output {
  /**
   * 1 to 100, default 20.
   */
  limit?: number;
  cursor?: string;
  seller_id?: string;
  min_price?: string;
  max_price?: string;
  currency?: string;
  in_stock?: boolean;
  /**
   * Full-text search.
   */
  q?: string;
  /**
   * newest (default), price_asc or price_desc.
   */
  sort?: string;
  /**
   * A category's id or slug: its products and its descendants'.
   */
  category?: string;
}
