import type { Generated, Selectable } from 'kysely';

export interface ProductsTable {
  id: Generated<string>;
  seller_id: string;
  name: string;
  description: Generated<string>;
  price_minor: bigint;
  currency: string;
  stock: number;
  image_key: string | null;
  /** Products whose image was stored before thumbnails existed have none. */
  thumbnail_key: string | null;
  /** The tax rates of this class apply to it (taxes module). */
  tax_class: Generated<string>;
  /** Live variants; with any, stock and price_minor are their total and lowest (variants). */
  variant_count: Generated<number>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

/** What is bought of a product that has variants: its own SKU, options, price and stock. */
export interface ProductVariantsTable {
  id: Generated<string>;
  product_id: string;
  sku: string;
  /** {"size": "M", "colour": "red"}: names lower-case, keys sorted. */
  options: Record<string, string>;
  /** In the product's currency. */
  price_minor: bigint;
  stock: number;
  position: Generated<number>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface CategoriesTable {
  id: Generated<string>;
  parent_id: string | null;
  name: string;
  slug: string;
  position: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProductCategoriesTable {
  product_id: string;
  category_id: string;
}

export interface CollectionsTable {
  id: Generated<string>;
  title: string;
  slug: string;
  description: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CollectionProductsTable {
  collection_id: string;
  product_id: string;
  position: number;
}

/** A product's gallery; the first image's keys are also the product's image_key and thumbnail_key. */
export interface ProductImagesTable {
  id: Generated<string>;
  product_id: string;
  image_key: string;
  thumbnail_key: string | null;
  position: number;
  created_at: Generated<Date>;
}

/** The tables the catalog module owns. */
export interface CatalogTables {
  products: ProductsTable;
  categories: CategoriesTable;
  product_categories: ProductCategoriesTable;
  collections: CollectionsTable;
  collection_products: CollectionProductsTable;
  product_images: ProductImagesTable;
  product_variants: ProductVariantsTable;
}

export type ProductRow = Selectable<ProductsTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type CollectionRow = Selectable<CollectionsTable>;
export type ProductImageRow = Selectable<ProductImagesTable>;
