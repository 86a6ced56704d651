-- Orders, their payments and refunds. Amounts are integer minor units; every amount a
-- row derives from another (totals, refunded sums) is bounded by a CHECK, so no code path
-- can refund more than was paid or record a negative quantity.
CREATE TABLE orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  buyer_id uuid NOT NULL REFERENCES users (id),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  total_minor bigint NOT NULL CHECK (total_minor > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_buyer_idx ON orders (buyer_id, created_at DESC);

CREATE TABLE order_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL REFERENCES orders (id),
  product_id uuid NOT NULL REFERENCES products (id),
  seller_id uuid NOT NULL REFERENCES users (id),
  product_name text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price_minor bigint NOT NULL CHECK (unit_price_minor > 0),
  fee_minor bigint NOT NULL CHECK (fee_minor >= 0),
  subtotal_minor bigint NOT NULL CHECK (subtotal_minor = unit_price_minor * quantity AND fee_minor <= subtotal_minor),
  restocked_quantity integer NOT NULL DEFAULT 0 CHECK (restocked_quantity BETWEEN 0 AND quantity)
);
CREATE INDEX order_items_order_idx ON order_items (order_id);
CREATE INDEX order_items_seller_idx ON order_items (seller_id);

CREATE TABLE payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL UNIQUE REFERENCES orders (id),
  buyer_id uuid NOT NULL REFERENCES users (id),
  payment_code text NOT NULL UNIQUE CHECK (payment_code ~ '^GC-\d{4}-\d{4}-\d{4}$'),
  method text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'expired', 'partially_refunded', 'refunded')),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
  failure_code text,
  payment_url text,
  token text,
  provider_reference text,
  ledger_transaction_id uuid,
  -- A client's Idempotency-Key, unique per buyer: a retried checkout can never create a second payment.
  idempotency_key text,
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'succeeded' OR ledger_transaction_id IS NOT NULL),
  CHECK ((status IN ('partially_refunded', 'refunded')) = (refunded_minor > 0)),
  CHECK (status <> 'refunded' OR refunded_minor = amount_minor)
);
CREATE UNIQUE INDEX payments_idempotency_idx ON payments (buyer_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX payments_buyer_idx ON payments (buyer_id, created_at DESC, id DESC);
CREATE INDEX payments_pending_expiry_idx ON payments (expires_at) WHERE status = 'pending';

CREATE TABLE refunds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id uuid NOT NULL REFERENCES payments (id),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
  restock boolean NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id),
  ledger_transaction_id uuid NOT NULL,
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id);
CREATE UNIQUE INDEX refunds_idempotency_idx ON refunds (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
