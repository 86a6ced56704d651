// Original file: proto/mamlaka/catalog/v1/catalog.proto

/**
 * One variant of a product (size, colour …) with its own SKU, price and stock.
 */
export interface Variant {
  id?: string;
  sku?: string;
  /**
   * One value per option name, e.g. size: M, colour: red.
   */
  options?: { [key: string]: string };
  /**
   * In the product's currency.
   */
  price?: string;
  stock?: number;
  position?: number;
}

/**
 * One variant of a product (size, colour …) with its own SKU, price and stock.
 */
export interface Variant__Output {
  id?: string;
  sku?: string;
  /**
   * One value per option name, e.g. size: M, colour: red.
   */
  options?: { [key: string]: string };
  /**
   * In the product's currency.
   */
  price?: string;
  stock?: number;
  position?: number;
}
