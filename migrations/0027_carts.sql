-- Server-side carts. A cart's public id is a bearer secret (a guest cart is reached by it
-- alone), so only its SHA-256 is stored: the table cannot be read back into working ids.
CREATE TABLE carts (
  id_hash text PRIMARY KEY,
  -- NULL: a guest cart. Set: that buyer's cart, visible to them alone.
  owner_id uuid,
  -- The id itself, kept for a buyer's open cart only: its owner alone may open it, and
  -- signing in again must find it.
  public_id text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'checked_out', 'closed')),
  -- The buyer checking a guest cart out: one buyer only, so one cart makes one payment.
  checkout_by uuid,
  -- Bumped after a checkout whose payment failed, so the next try is a new checkout.
  checkout_attempt integer NOT NULL DEFAULT 0 CHECK (checkout_attempt >= 0),
  payment_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- A buyer has one open cart: the one the web app syncs into on sign-in.
CREATE UNIQUE INDEX carts_one_open_per_owner ON carts (owner_id)
  WHERE status = 'open' AND owner_id IS NOT NULL;
CREATE INDEX carts_expires_at_idx ON carts (expires_at);

CREATE TABLE cart_lines (
  id uuid PRIMARY KEY,
  cart_id_hash text NOT NULL REFERENCES carts (id_hash) ON DELETE CASCADE,
  product_id uuid NOT NULL,
  title text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  -- The price the buyer saw when adding the line, or last accepted.
  unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
  currency text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cart_id_hash, product_id)
);
