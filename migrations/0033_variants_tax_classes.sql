-- Product options and variants (size, colour …), each with its own SKU, price and stock,
-- and a tax class per product.

-- The tax rates of a product's class apply to it (tax_rates.tax_class); free text as there.
ALTER TABLE products ADD COLUMN tax_class text NOT NULL DEFAULT 'standard'
  CHECK (length(tax_class) BETWEEN 1 AND 32);

-- How many live variants the product has, kept by the catalog in the transaction that
-- changes them: a checkout of a product without variants (the usual case, and every flash
-- sale) needs no second read to know it.
ALTER TABLE products ADD COLUMN variant_count integer NOT NULL DEFAULT 0
  CHECK (variant_count BETWEEN 0 AND 100);

-- A variant is what is bought of a product that has them. The product row then carries
-- their total stock and lowest price (kept in the same transactions), so listings, filters
-- and single-product clients keep reading one row. options: {"size": "M", "colour": "red"}.
CREATE TABLE product_variants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  product_id uuid NOT NULL REFERENCES products (id),
  sku text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  options jsonb NOT NULL CHECK (jsonb_typeof(options) = 'object'),
  price_minor bigint NOT NULL CHECK (price_minor >= 0),
  stock integer NOT NULL CHECK (stock >= 0),
  position integer NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 1000),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
-- A SKU names one thing on sale across the marketplace; deleted variants free theirs.
CREATE UNIQUE INDEX product_variants_sku_key ON product_variants (sku) WHERE deleted_at IS NULL;
-- Two live variants of a product never have the same options.
CREATE UNIQUE INDEX product_variants_options_key
  ON product_variants (product_id, options) WHERE deleted_at IS NULL;
CREATE INDEX product_variants_product_idx ON product_variants (product_id, position);

-- What was bought: the variant (and what it was then) beside the product. No foreign key:
-- the catalog owns variants (module boundaries), and the snapshot outlives edits.
ALTER TABLE order_items ADD COLUMN variant_id uuid;
ALTER TABLE order_items ADD COLUMN variant_sku text;
ALTER TABLE order_items ADD COLUMN variant_options jsonb;

-- A cart line is one product, or one variant of it.
ALTER TABLE cart_lines ADD COLUMN variant_id uuid;
ALTER TABLE cart_lines DROP CONSTRAINT cart_lines_cart_id_hash_product_id_key;
ALTER TABLE cart_lines ADD CONSTRAINT cart_lines_unit_key
  UNIQUE NULLS NOT DISTINCT (cart_id_hash, product_id, variant_id);
