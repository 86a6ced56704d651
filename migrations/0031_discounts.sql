-- Coupon codes and automatic promotions, and who redeemed them. Both tables belong to the
-- discounts module; seller_id, buyer_id and payment_id name rows of other modules, with no
-- foreign key across the boundary (see 0012).

-- A discount without a code is an automatic promotion: it applies to every cart it fits.
-- Without a seller it is the platform's (created by admins, paid for by the platform, on
-- the whole cart); with one it is that seller's own, on that seller's goods only.
-- Amounts are minor units of `currency`, so a fixed amount or a minimum subtotal needs it;
-- a percentage or free shipping without a currency applies in every currency.
CREATE TABLE discounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Upper case, as the rules normalise a code before storing or looking it up.
  code text CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
  seller_id uuid,
  kind text NOT NULL CHECK (kind IN ('percentage', 'fixed', 'free_shipping')),
  percent_bps integer CHECK (percent_bps BETWEEN 1 AND 10000),
  amount_minor bigint CHECK (amount_minor > 0),
  currency char(3) CHECK (currency ~ '^[A-Z]{3}$'),
  minimum_subtotal_minor bigint CHECK (minimum_subtotal_minor > 0),
  starts_at timestamptz,
  ends_at timestamptz,
  max_uses integer CHECK (max_uses > 0),
  max_uses_per_customer integer CHECK (max_uses_per_customer > 0),
  uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (max_uses IS NULL OR uses <= max_uses),
  CHECK ((kind = 'percentage') = (percent_bps IS NOT NULL)),
  CHECK ((kind = 'fixed') = (amount_minor IS NOT NULL)),
  CHECK (kind <> 'fixed' OR currency IS NOT NULL),
  CHECK (minimum_subtotal_minor IS NULL OR currency IS NOT NULL),
  CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);
-- One live discount per code; a deleted (inactive) one gives its code back.
CREATE UNIQUE INDEX discounts_live_code_idx ON discounts (code) WHERE active AND code IS NOT NULL;
-- What every quote reads: the live automatic promotions, the platform's and its sellers'.
CREATE INDEX discounts_automatic_idx ON discounts (seller_id, created_at) WHERE active AND code IS NULL;
CREATE INDEX discounts_seller_idx ON discounts (seller_id, created_at);
CREATE INDEX discounts_created_idx ON discounts (created_at, id);

-- One row per discount a payment used. A released row (the payment failed, expired or was
-- cancelled) gave its use back and no longer counts against the buyer's own limit.
CREATE TABLE discount_redemptions (
  discount_id uuid NOT NULL REFERENCES discounts (id),
  buyer_id uuid NOT NULL,
  payment_id uuid NOT NULL,
  redeemed_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  PRIMARY KEY (discount_id, payment_id),
  CHECK (released_at IS NULL OR released_at >= redeemed_at)
);
CREATE INDEX discount_redemptions_buyer_idx
  ON discount_redemptions (discount_id, buyer_id) WHERE released_at IS NULL;
CREATE INDEX discount_redemptions_payment_idx ON discount_redemptions (payment_id);
