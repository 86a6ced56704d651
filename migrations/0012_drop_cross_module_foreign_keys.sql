-- A module owns its tables, and now its constraints too: no foreign key crosses a module
-- boundary. Each of these made one module's writes depend on another module's rows, which
-- stops the modules' tables from living in separate databases (or schemas) once the split
-- services stop sharing one, and meanwhile lets code lean on a check that would silently
-- disappear at the split. The ledger never had any (its owner_id is opaque); this brings
-- the other modules in line. README, "Foreign keys", says what stands in for them.
--
-- Foreign keys inside a module (order_items → orders, refunds → payments, ledger entries →
-- accounts, deliveries → endpoints, refresh tokens → users, …) stay: one owner, one database.
-- Names are PostgreSQL's defaults, spelled out (no IF EXISTS) so a mismatch fails loudly.

-- catalog → users
ALTER TABLE products DROP CONSTRAINT products_seller_id_fkey;

-- payments → users, catalog
ALTER TABLE orders DROP CONSTRAINT orders_buyer_id_fkey;
ALTER TABLE order_items DROP CONSTRAINT order_items_product_id_fkey;
ALTER TABLE order_items DROP CONSTRAINT order_items_seller_id_fkey;
ALTER TABLE payments DROP CONSTRAINT payments_buyer_id_fkey;
ALTER TABLE refunds DROP CONSTRAINT refunds_created_by_fkey;

-- webhooks → users
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_owner_id_fkey;

-- wallets → users
ALTER TABLE wallet_top_ups DROP CONSTRAINT wallet_top_ups_user_id_fkey;

-- notifications → users (it cascaded a user's deletion, which nothing does: users are
-- disabled, never deleted; an erasure would be a `user.*` event each module handles)
ALTER TABLE mail_preferences DROP CONSTRAINT mail_preferences_user_id_fkey;
