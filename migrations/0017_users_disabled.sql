-- Admins disable and re-enable accounts. `status` already had a 'disabled' value; the
-- moment it happened is kept beside it, and the database holds the two in step so no code
-- path can leave a disabled account without its time or an active one with one.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
UPDATE users SET disabled_at = updated_at WHERE status = 'disabled';
ALTER TABLE users
  ADD CONSTRAINT users_disabled_at CHECK ((status = 'disabled') = (disabled_at IS NOT NULL));

-- GET /admin/users and its keyset: newest first, ties broken by id.
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);

-- The admin and seller read routes that came with it (one migration number was theirs):
-- GET /admin/payments by code prefix (LIKE 'GC-1234%' can use a pattern_ops index whatever
-- the database's collation) and newest first,
CREATE INDEX payments_code_prefix_idx ON payments (payment_code text_pattern_ops);
CREATE INDEX payments_created_idx ON payments (created_at DESC, id DESC);
-- GET /wallet/payouts and GET /admin/payouts: a kind's holds newest first, without scanning
-- every ledger transaction.
CREATE INDEX ledger_transactions_kind_created_idx
  ON ledger_transactions (kind, created_at DESC, id DESC) WHERE pending_id IS NULL;
-- GET /wallet/transactions: one wallet's entries newest first (keyset on the entry id).
CREATE INDEX ledger_entries_account_id_idx ON ledger_entries (account_id, id DESC);
