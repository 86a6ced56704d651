-- PostgreSQL's own ceiling for one Mamlaka wallet checkout (`npm run bench`, see
-- docs/benchmarks.md): the statements the server sends for POST /payments, in the same
-- order, one round trip each, in one transaction. The order is the one that keeps hot
-- rows out of the critical path (issue 17):
--   BEGIN
--   CatalogRepository.quote                prices and stock, read without a lock
--   LedgerRepository.lockAccounts          locks the buyer's wallet; finds the seller's
--                                          wallet and the fee account without locking them
--   (foldShards, only when the buyer's wallet has credits in shards: its first purchase)
--   LedgerRepository.insertTransactions    transaction, entries, the buyer's row, and the
--                                          seller's and fee account's credits on one shard
--   PaymentsRepository.createOrderWithPayment   order, item and payment
--   databaseOutbox.append                  payment.created and payment.succeeded, sent
--                                          without waiting, in one round trip with:
--   CatalogRepository.takeAtPrice          the conditional stock decrement, LAST, which
--                                          raises when it takes nothing, and
--   COMMIT
-- The server sends BEGIN with the quote, in one round trip (src/platform/db/lazy-begin.ts);
-- pgbench cannot, since the quote sets variables (\gset), which a pgbench pipeline refuses.
-- The outbox insert, the stock decrement and COMMIT share a round trip on both sides (a
-- pipeline here, send-ahead.ts in the server).
-- When the checkout's SQL changes, change this file too: the bench compares the rows each
-- side writes per checkout (pg_stat_user_tables) and reports when they differ.
--
-- Run with `-M prepared`: each statement is prepared once per connection and every
-- :variable travels as a bound parameter, as the server sends them (prepared-statements.ts).
-- Variables given with -D by bench/checkout-pgbench.ts:
--   products, buyers   how many rows bench_products and bench_buyers hold (n = 0 .. count-1)
--   fee_bps            PLATFORM_FEE_BPS of the server
--   shards             LEDGER_SHARDS of the server
--   code_prefix        a 4-digit group that no existing payment code uses with a second
--                      group 10xx, so the codes below never collide with the server's
--   n                  0; counts this client's transactions (pgbench keeps variables per client)
--
-- Where it differs from the server, it only adds work on PostgreSQL's side: the product and
-- the buyer are looked up by number inside the first statement (pgbench has no string
-- arrays), the ids the server draws in Node (payment, ledger transaction, order, item) are
-- drawn by that statement too, and the accounts are folded into one row of ids (\gset
-- takes one row). The shard tried first is drawn at random here, from the transaction id in
-- the server; both then claim the first shard no other transaction in flight holds.

\set p random(0, :products - 1)
\set b :client_id % :buyers
\set q 1
\set n :n + 1
\set code_b 1000 + :client_id
\set code_c 1000 + :n
\set shard random(0, :shards - 1)

BEGIN;

-- CatalogService.quoteStock: the product as it sells now, no lock.
select "id", "seller_id", "name", "price_minor", "currency", "stock", (select id from bench_buyers where n = :b) as buyer_id, gen_random_uuid() as pay_id, gen_random_uuid() as ltx_id, gen_random_uuid() as order_id, gen_random_uuid() as item_id from "products" where "id" in ((select id from bench_products where n = :p)) and "deleted_at" is null
\gset

\set subtotal :price_minor * :q
\set fee (:subtotal * :fee_bps * 2 + 10000) / 20000
\set net :subtotal - :fee

-- LedgerRepository.lockAccounts: created if missing; the buyer's row locked (with a hint
-- whether its shards hold anything to fold), the seller's and the fee account's only found.
WITH wanted AS (
  SELECT * FROM unnest(
    ARRAY['user_wallet', 'user_wallet', 'platform_fees']::text[], ARRAY[:buyer_id, :seller_id, NULL]::uuid[],
    ARRAY[:currency, :currency, :currency]::text[], ARRAY[true, true, false]::boolean[],
    ARRAY[true, false, false]::boolean[]
  ) AS w(kind, owner_id, currency, no_overdraft, lock)
), created AS (
  INSERT INTO ledger_accounts (kind, owner_id, currency, no_overdraft)
  SELECT kind, owner_id, currency, no_overdraft FROM wanted ORDER BY kind, owner_id, currency
  ON CONFLICT (kind, (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)), currency) DO NOTHING
  RETURNING *
), accounts AS (
  SELECT *, false AS has_shards FROM created
  UNION ALL
  SELECT locked.*, EXISTS (
    SELECT 1 FROM ledger_account_shards s WHERE s.account_id = locked.id
      AND (s.posted_debits, s.posted_credits, s.pending_debits, s.pending_credits) <> (0, 0, 0, 0)) AS has_shards
  FROM (
    SELECT a.* FROM ledger_accounts a
    JOIN wanted w ON a.kind = w.kind AND a.currency = w.currency
      AND coalesce(a.owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(w.owner_id, '00000000-0000-0000-0000-000000000000'::uuid)
    WHERE w.lock
    ORDER BY a.id
    FOR NO KEY UPDATE OF a
  ) locked
  UNION ALL
  SELECT a.*, false AS has_shards FROM ledger_accounts a
  JOIN wanted w ON a.kind = w.kind AND a.currency = w.currency
    AND coalesce(a.owner_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(w.owner_id, '00000000-0000-0000-0000-000000000000'::uuid)
  WHERE NOT w.lock
)
SELECT (array_agg(id) FILTER (WHERE kind = 'user_wallet' AND owner_id = :buyer_id::uuid))[1] AS buyer_account,
  (array_agg(id) FILTER (WHERE kind = 'user_wallet' AND owner_id = :seller_id::uuid))[1] AS seller_account,
  (array_agg(id) FILTER (WHERE kind = 'platform_fees'))[1] AS fee_account,
  (bool_or(has_shards))::int AS fold
FROM accounts
\gset

-- foldShards: the buyer's shards into its locked row (after a top-up or a refund).
\if :fold
WITH held AS (
  SELECT account_id, shard, posted_debits, posted_credits, pending_debits, pending_credits
  FROM ledger_account_shards
  WHERE account_id = ANY(ARRAY[:buyer_account]::uuid[])
    AND (posted_debits, posted_credits, pending_debits, pending_credits) <> (0, 0, 0, 0)
  ORDER BY account_id, shard
  FOR NO KEY UPDATE
), emptied AS (
  UPDATE ledger_account_shards s
  SET posted_debits = 0, posted_credits = 0, pending_debits = 0, pending_credits = 0
  FROM held h WHERE s.account_id = h.account_id AND s.shard = h.shard
), sums AS (
  SELECT account_id, sum(posted_debits)::bigint AS posted_debits, sum(posted_credits)::bigint AS posted_credits,
    sum(pending_debits)::bigint AS pending_debits, sum(pending_credits)::bigint AS pending_credits
  FROM held GROUP BY account_id
)
UPDATE ledger_accounts a SET
  posted_debits = a.posted_debits + s.posted_debits,
  posted_credits = a.posted_credits + s.posted_credits,
  pending_debits = a.pending_debits + s.pending_debits,
  pending_credits = a.pending_credits + s.pending_credits
FROM sums s WHERE a.id = s.account_id
RETURNING a.*;
\endif

-- LedgerRepository.insertTransactions: the purchase (reference: the payment id), its three
-- entries, the buyer's row, and one shard row each of the seller's wallet and fee account.
WITH tx AS (
  INSERT INTO ledger_transactions (id, kind, reference, currency, status, pending_id)
  SELECT * FROM unnest(
    ARRAY[:ltx_id]::uuid[], ARRAY['purchase']::text[], ARRAY[:pay_id]::text[],
    ARRAY[:currency]::text[], ARRAY['posted']::text[], ARRAY[NULL]::uuid[]
  )
  ON CONFLICT (kind, reference) DO NOTHING
  RETURNING id
), entries AS (
  INSERT INTO ledger_entries (transaction_id, account_id, direction, amount)
  SELECT e.transaction_id, e.account_id, e.direction, e.amount
  FROM unnest(
    ARRAY[:ltx_id, :ltx_id, :ltx_id]::uuid[], ARRAY[:buyer_account, :seller_account, :fee_account]::uuid[],
    ARRAY['debit', 'credit', 'credit']::text[], ARRAY[:subtotal::bigint, :net::bigint, :fee::bigint]
  ) WITH ORDINALITY AS e(transaction_id, account_id, direction, amount, n)
  JOIN tx ON tx.id = e.transaction_id
  ORDER BY e.n
), hold AS (
  UPDATE ledger_transactions SET resolved_at = now()
  WHERE id = NULL::uuid AND resolved_at IS NULL AND EXISTS (SELECT 1 FROM tx)
), balances AS (
  UPDATE ledger_accounts a SET
    posted_debits = a.posted_debits + d.posted_debits,
    posted_credits = a.posted_credits + d.posted_credits,
    pending_debits = a.pending_debits + d.pending_debits,
    pending_credits = a.pending_credits + d.pending_credits
  FROM unnest(
    ARRAY[:buyer_account]::uuid[], ARRAY[:subtotal::bigint], ARRAY[0]::bigint[],
    ARRAY[0]::bigint[], ARRAY[0]::bigint[]
  ) AS d(id, posted_debits, posted_credits, pending_debits, pending_credits)
  WHERE a.id = d.id AND EXISTS (SELECT 1 FROM tx)
), shards AS (
  INSERT INTO ledger_account_shards AS s
    (account_id, shard, posted_debits, posted_credits, pending_debits, pending_credits)
  SELECT d.id, (SELECT coalesce((
      SELECT ((:shard::int + g) % :shards::int)::smallint FROM generate_series(0, :shards::int - 1) AS g
      WHERE pg_try_advisory_xact_lock(hashtext('ledger_account_shards:' || current_schema()), (:shard::int + g) % :shards::int)
      LIMIT 1
    ), :shard::smallint)), d.posted_debits, d.posted_credits, d.pending_debits, d.pending_credits
  FROM unnest(
    ARRAY[least(:seller_account::uuid, :fee_account::uuid), greatest(:seller_account::uuid, :fee_account::uuid)]::uuid[],
    ARRAY[0, 0]::bigint[],
    ARRAY[CASE WHEN :seller_account::uuid < :fee_account::uuid THEN :net::bigint ELSE :fee::bigint END,
          CASE WHEN :seller_account::uuid < :fee_account::uuid THEN :fee::bigint ELSE :net::bigint END]::bigint[],
    ARRAY[0, 0]::bigint[], ARRAY[0, 0]::bigint[]
  ) WITH ORDINALITY AS d(id, posted_debits, posted_credits, pending_debits, pending_credits, n)
  WHERE EXISTS (SELECT 1 FROM tx)
  ORDER BY d.n
  ON CONFLICT (account_id, shard) DO UPDATE SET
    posted_debits = s.posted_debits + excluded.posted_debits,
    posted_credits = s.posted_credits + excluded.posted_credits,
    pending_debits = s.pending_debits + excluded.pending_debits,
    pending_credits = s.pending_credits + excluded.pending_credits
)
SELECT id FROM tx;

-- PaymentsRepository.createOrderWithPayment: order, item and the succeeded payment with its
-- GC-dddd-dddd-dddd code, in one statement.
with "new_order" as (insert into "orders" ("id", "buyer_id", "currency", "total_minor") values (:order_id, :buyer_id, :currency, :subtotal)), "new_items" as (insert into "order_items" ("id", "order_id", "product_id", "seller_id", "product_name", "quantity", "unit_price_minor", "fee_minor", "subtotal_minor") values (:item_id, :order_id, :id, :seller_id, :name, :q, :price_minor, :fee, :subtotal)) insert into "payments" ("status", "ledger_transaction_id", "id", "buyer_id", "payment_code", "method", "currency", "amount_minor", "idempotency_key", "order_id") values ('succeeded', :ltx_id, :pay_id, :buyer_id, concat('GC-', :code_prefix::text, '-', :code_b::text, '-', :code_c::text), 'wallet', :currency, :subtotal, NULL, :order_id) returning *;

\startpipeline
-- databaseOutbox.append: the checkout's two events, one statement. The server sends the
-- payment's JSON as the data; a document of about the same size stands in for it.
insert into "outbox_events" ("type", "aggregate", "data") select t.type, concat('payment:', :pay_id::text), jsonb_build_object('id', :pay_id::text, 'status', 'succeeded', 'payment_method', 'wallet', 'total_amount', :subtotal::bigint::text, 'currency', :currency::text, 'payment_code', concat('GC-', :code_prefix::text, '-', :code_b::text, '-', :code_c::text), 'user_id', :buyer_id::text, 'order_id', :order_id::text, 'items', jsonb_build_array(jsonb_build_object('product_id', :id::text, 'seller_id', :seller_id::text, 'name', :name::text, 'quantity', :q::int, 'unit_price', :price_minor::bigint::text, 'subtotal', :subtotal::bigint::text)), 'created_at', now(), 'updated_at', now()) from unnest(array['payment.created', 'payment.succeeded']) as t(type);

-- CatalogService.takeStock: the conditional decrement at the price charged, the only lock
-- on the hot product row, held for the COMMIT alone; taking nothing raises (migration 0036),
-- so COMMIT goes out behind it without waiting for its answer.
with "taken" as (update "products" set "stock" = "stock" - :q, "version" = "version" + 1 where "id" = :id and "deleted_at" is null and "stock" >= :q and "currency" = :currency and "price_minor" = :price_minor returning "id") select require_stock_taken(exists (select 1 from taken), :id::text) as "ok";

COMMIT;
\endpipeline
