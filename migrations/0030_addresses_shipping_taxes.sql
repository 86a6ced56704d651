-- Buyers' address books, sellers' shipping options and the tax rates a quote applies.
-- Each table belongs to its own module; user_id and seller_id name users of the users
-- module, with no foreign key across the boundary (see 0012).

-- Every personal field of an address is AES-GCM ciphertext (the key ring's v1 format),
-- bound to its row and column. The country stays plain: a quote picks shipping and tax
-- by it, and a country alone identifies nobody.
CREATE TABLE addresses (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) <= 1024),
  line1 text NOT NULL CHECK (length(line1) <= 1024),
  line2 text CHECK (length(line2) <= 1024),
  city text NOT NULL CHECK (length(city) <= 1024),
  region text NOT NULL CHECK (length(region) <= 1024),
  postal_code text NOT NULL CHECK (length(postal_code) <= 512),
  phone text CHECK (length(phone) <= 512),
  country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_user_idx ON addresses (user_id, created_at);
-- At most one default address per user, whatever the races.
CREATE UNIQUE INDEX addresses_one_default_idx ON addresses (user_id) WHERE is_default;

-- What a seller charges to ship an order. Amounts are minor units of `currency`;
-- per-region rates are a small JSON list of {country, region, amount_minor} with the
-- amount as a decimal integer string (a JSON number would lose precision in JavaScript).
CREATE TABLE shipping_options (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seller_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind text NOT NULL CHECK (kind IN ('flat', 'free_above', 'per_region')),
  currency char(3) NOT NULL,
  amount_minor bigint CHECK (amount_minor >= 0),
  free_above_minor bigint CHECK (free_above_minor > 0),
  regions jsonb NOT NULL DEFAULT '[]'::jsonb
    CHECK (jsonb_typeof(regions) = 'array' AND jsonb_array_length(regions) <= 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'per_region' OR amount_minor IS NOT NULL),
  CHECK ((kind = 'free_above') = (free_above_minor IS NOT NULL)),
  CHECK (kind = 'per_region' OR jsonb_array_length(regions) = 0)
);
CREATE INDEX shipping_options_seller_idx ON shipping_options (seller_id, created_at);

-- Rates in basis points (1100 = 11%). `inclusive` says listed prices already contain the
-- tax (extracted at quote time) rather than having it added. A missing region or currency
-- means every region or currency of the country.
CREATE TABLE tax_rates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  region text CHECK (length(region) BETWEEN 1 AND 64),
  tax_class text NOT NULL DEFAULT 'standard' CHECK (length(tax_class) BETWEEN 1 AND 32),
  rate_bps integer NOT NULL CHECK (rate_bps BETWEEN 0 AND 10000),
  inclusive boolean NOT NULL,
  currency char(3),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One rate per place, class and currency: a quote never has to choose between two. Regions
-- match without case (as quotes compare them).
CREATE UNIQUE INDEX tax_rates_scope_idx
  ON tax_rates (country, coalesce(lower(region), ''), tax_class, coalesce(currency, ''));

-- Indonesia's PPN (VAT) at 11%, included in rupiah prices as Indonesian retail prices are.
INSERT INTO tax_rates (country, region, tax_class, rate_bps, inclusive, currency)
VALUES ('ID', NULL, 'standard', 1100, true, 'IDR');
