-- Products. Prices are integer minor units of their currency; stock can never go below
-- zero. A deleted product keeps its row (orders and payments point at it) and leaves
-- every read through deleted_at.
CREATE TABLE products (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seller_id uuid NOT NULL REFERENCES users (id),
  name text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
  price_minor bigint NOT NULL CHECK (price_minor > 0 AND price_minor <= 1000000000000000),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  stock integer NOT NULL CHECK (stock >= 0),
  image_key text CHECK (image_key ~ '^[a-z0-9-]+/[a-z0-9-]+\.(jpg|png|webp)$'),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- 'simple' keeps words as written, so names in any language match; queries use prefixes.
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', description), 'B')
  ) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

CREATE INDEX products_search_idx ON products USING gin (search);
CREATE INDEX products_newest_idx ON products (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX products_price_idx ON products (currency, price_minor, id) WHERE deleted_at IS NULL;
CREATE INDEX products_seller_idx ON products (seller_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
