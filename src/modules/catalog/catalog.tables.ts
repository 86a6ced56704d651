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
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

/** The tables the catalog module owns. */
export interface CatalogTables {
  products: ProductsTable;
}

export type ProductRow = Selectable<ProductsTable>;
