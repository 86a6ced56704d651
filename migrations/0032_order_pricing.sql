-- Orders priced with shipping, tax and discounts (a cart's checkout with an address).
--
-- The ledger gains the platform's two new system accounts: what it owes the tax office
-- (every tax the buyer paid, included in the price or added on top), and what it pays for
-- the discounts it funds (debited beside the buyer's payment, so a platform-funded discount
-- never reduces a seller's share).
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_kind_check;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind_check CHECK (
  kind IN ('user_wallet', 'platform_fees', 'gateway_clearing', 'payout_clearing', 'tax_liability', 'platform_discounts')
);

-- Where a priced order goes: the buyer's address book entry (encrypted there) and the
-- destination its tax and shipping were quoted for.
ALTER TABLE orders ADD COLUMN shipping_address_id uuid;
ALTER TABLE orders ADD COLUMN destination_country text CHECK (destination_country ~ '^[A-Z]{2}$');
ALTER TABLE orders ADD COLUMN destination_region text CHECK (char_length(destination_region) <= 64);

-- One shipment per seller of a priced order, with who gets what of the buyer's payment.
-- An order without shipments (POST /orders) splits by its items as before.
CREATE TABLE order_shipments (
  order_id uuid NOT NULL REFERENCES orders (id),
  seller_id uuid NOT NULL,
  shipping_option_id uuid,
  goods_minor bigint NOT NULL CHECK (goods_minor >= 0),
  shipping_minor bigint NOT NULL CHECK (shipping_minor >= 0),
  tax_minor bigint NOT NULL CHECK (tax_minor >= 0),
  tax_included_minor bigint NOT NULL CHECK (tax_included_minor BETWEEN 0 AND tax_minor),
  discount_minor bigint NOT NULL CHECK (discount_minor >= 0),
  total_minor bigint NOT NULL CHECK (total_minor >= 0),
  seller_share_minor bigint NOT NULL CHECK (seller_share_minor >= 0),
  fee_minor bigint NOT NULL CHECK (fee_minor >= 0),
  tax_liability_minor bigint NOT NULL CHECK (tax_liability_minor >= 0),
  platform_discount_minor bigint NOT NULL CHECK (platform_discount_minor >= 0),
  PRIMARY KEY (order_id, seller_id),
  CHECK (total_minor = goods_minor + shipping_minor + (tax_minor - tax_included_minor) - discount_minor),
  CHECK (seller_share_minor + fee_minor + tax_liability_minor = total_minor + platform_discount_minor)
);
CREATE INDEX order_shipments_seller_idx ON order_shipments (seller_id);

-- The order's tax by rate, as receipts show it.
CREATE TABLE order_tax_lines (
  order_id uuid NOT NULL REFERENCES orders (id),
  tax_rate_id uuid NOT NULL,
  rate_bps integer NOT NULL CHECK (rate_bps BETWEEN 0 AND 10000),
  inclusive boolean NOT NULL,
  taxable_minor bigint NOT NULL CHECK (taxable_minor >= 0),
  tax_minor bigint NOT NULL CHECK (tax_minor >= 0),
  PRIMARY KEY (order_id, tax_rate_id)
);

-- A cart's choices for its quote: the buyer's address, a shipping option per seller (a
-- seller absent from the map ships by its cheapest option to the address), discount codes.
ALTER TABLE carts ADD COLUMN shipping_address_id uuid;
ALTER TABLE carts ADD COLUMN shipping_choices jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE carts ADD COLUMN discount_codes text[] NOT NULL DEFAULT '{}';
