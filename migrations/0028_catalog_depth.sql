-- Catalog depth: a category tree, curated collections and an ordered gallery of images
-- per product. All of it belongs to the catalog module, beside products.

-- The tree. A category is moved by changing parent_id; the service refuses cycles and
-- depths beyond its limit (a constraint cannot see the whole tree).
CREATE TABLE categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  parent_id uuid REFERENCES categories (id),
  name text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 100),
  position integer NOT NULL DEFAULT 0 CHECK (position BETWEEN 0 AND 100000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT categories_slug_key UNIQUE (slug),
  CONSTRAINT categories_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX categories_parent_idx ON categories (parent_id, position);

CREATE TABLE product_categories (
  product_id uuid NOT NULL REFERENCES products (id),
  category_id uuid NOT NULL REFERENCES categories (id),
  PRIMARY KEY (product_id, category_id)
);
-- The listing's category filter starts from the categories.
CREATE INDEX product_categories_category_idx ON product_categories (category_id, product_id);

CREATE TABLE collections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 100),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT collections_slug_key UNIQUE (slug)
);

CREATE TABLE collection_products (
  collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  product_id uuid NOT NULL REFERENCES products (id),
  position integer NOT NULL CHECK (position BETWEEN 0 AND 499),
  PRIMARY KEY (collection_id, product_id),
  CONSTRAINT collection_products_position_key UNIQUE (collection_id, position)
);

-- The gallery. products.image_key and thumbnail_key stay as the cover (the gallery's first
-- image), so every reader of the single image keeps working. Positions are rewritten
-- together on a reorder, hence the deferred uniqueness.
CREATE TABLE product_images (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  product_id uuid NOT NULL REFERENCES products (id),
  image_key text NOT NULL CHECK (image_key ~ '^[a-z0-9-]+/[a-z0-9-]+\.(jpg|png|webp)$'),
  thumbnail_key text CHECK (thumbnail_key ~ '^[a-z0-9-]+/[a-z0-9-]+\.(jpg|png|webp)$'),
  position integer NOT NULL CHECK (position BETWEEN 0 AND 9),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT product_images_position_key UNIQUE (product_id, position) DEFERRABLE INITIALLY DEFERRED
);

-- Products that already have their single image get it as the first of their gallery.
INSERT INTO product_images (product_id, image_key, thumbnail_key, position, created_at)
SELECT id, image_key, thumbnail_key, 0, updated_at FROM products WHERE image_key IS NOT NULL;
