// The data of the reconciliation bench, written in bulk SQL (generate_series) because going
// through the API would take hours for 100,000 payments. It must be what the platform
// itself would have written, or the check would (rightly) fail: every payment has its
// posted purchase, every refund its ledger transaction in the state its status implies
// (posted at once before migration 0011; a settled, pending or voided hold after it),
// payments' refunded and pending sums match, and every account's counters equal the sums
// of its entries with no wallet overdrawn. Ids are md5-derived: random-looking, like
// gen_random_uuid(), yet computable from the row number.

const BUYERS = 1_000;
const SELLERS = 100;
/** What each buyer's wallet is topped up with: more than its 100 payments cost. */
const TOP_UP_MINOR = 20_000_000;

/**
 * The refunds of payment i, by i % 10: a full refund posted at once (the old way), a
 * quarter refunded in two phases and settled, a quarter pending, a quarter failed, and a
 * quarter each way on one payment; the rest have none. `quarters` of the amount each.
 */
const REFUND_PLAN = `(VALUES
  (0, 1, 'legacy', 4), (1, 1, 'settled', 1), (2, 1, 'pending', 1), (3, 1, 'failed', 1),
  (4, 1, 'legacy', 1), (4, 2, 'settled', 1)) AS r(k, n, mode, quarters)`;

/** The whole seed for `payments` payments, as one script (run on a fresh, migrated database). */
export function seedSql(payments: number): string {
  if (!Number.isInteger(payments) || payments < 1) throw new Error('payments must be a positive integer');
  return `
CREATE TEMP TABLE plan AS
SELECT base.*, amount / 40 AS fee,
  CASE WHEN method = 'midtrans' THEN md5('clearing')::uuid ELSE md5('wallet-buyer' || buyer)::uuid END AS payer_account,
  md5('wallet-seller' || seller)::uuid AS seller_account
FROM (
  SELECT i, md5('pay' || i)::uuid AS payment_id, i % ${BUYERS} AS buyer, i % ${SELLERS} AS seller,
    CASE WHEN i % 20 = 1 THEN 'midtrans' ELSE 'wallet' END AS method,
    (10000 + (i % 1000) * 100)::bigint AS amount, i % 10 AS k
  FROM generate_series(1, ${payments}) i
) base;

CREATE TEMP TABLE rplan AS
SELECT p.*, r.n, r.mode, p.amount * r.quarters / 4 AS refund_amount,
  (p.amount * r.quarters / 4) * p.fee / p.amount AS fee_part,
  md5('refund' || p.i || '-' || r.n)::uuid AS refund_id,
  md5('rtx' || p.i || '-' || r.n)::uuid AS tx_id,
  md5('rset' || p.i || '-' || r.n)::uuid AS settlement_id
FROM plan p JOIN ${REFUND_PLAN} ON r.k = p.k;

INSERT INTO users (id, name, email, role, password_hash)
SELECT md5('buyer' || b)::uuid, 'Bench buyer ' || b, 'bench.buyer' || b || '@example.com', 'buyer', '$argon2id$bench'
FROM generate_series(0, ${BUYERS - 1}) b
UNION ALL
SELECT md5('seller' || s)::uuid, 'Bench seller ' || s, 'bench.seller' || s || '@example.com', 'seller', '$argon2id$bench'
FROM generate_series(0, ${SELLERS - 1}) s;

INSERT INTO orders (id, buyer_id, currency, total_minor)
SELECT md5('order' || i)::uuid, md5('buyer' || buyer)::uuid, 'IDR', amount FROM plan;

INSERT INTO payments (id, order_id, buyer_id, payment_code, method, status, currency, amount_minor,
  refunded_minor, refund_pending_minor, ledger_transaction_id, created_at, updated_at)
SELECT p.payment_id, md5('order' || p.i)::uuid, md5('buyer' || p.buyer)::uuid,
  'GC-0000-' || lpad((p.i / 10000)::text, 4, '0') || '-' || lpad((p.i % 10000)::text, 4, '0'),
  p.method,
  CASE WHEN coalesce(s.refunded, 0) = p.amount THEN 'refunded'
    WHEN coalesce(s.refunded, 0) > 0 THEN 'partially_refunded' ELSE 'succeeded' END,
  'IDR', p.amount, coalesce(s.refunded, 0), coalesce(s.pending, 0), md5('purchase' || p.i)::uuid,
  now() - make_interval(secs => p.i), now() - make_interval(secs => p.i)
FROM plan p LEFT JOIN (
  SELECT i, sum(refund_amount) FILTER (WHERE mode IN ('legacy', 'settled')) AS refunded,
    sum(refund_amount) FILTER (WHERE mode = 'pending') AS pending
  FROM rplan GROUP BY i
) s USING (i);

INSERT INTO refunds (id, payment_id, amount_minor, currency, reason, restock, status, refund_key,
  failure_code, failure_message, created_by, ledger_transaction_id, next_check_at)
SELECT refund_id, payment_id, refund_amount, 'IDR', 'bench', false,
  CASE mode WHEN 'pending' THEN 'pending' WHEN 'failed' THEN 'failed' ELSE 'succeeded' END,
  refund_id::text,
  CASE WHEN mode = 'failed' THEN 'card_declined' END,
  CASE WHEN mode = 'failed' THEN 'declined in the bench' END,
  md5('seller' || seller)::uuid, tx_id,
  -- Far ahead, so a refund reconciler running meanwhile leaves the pending ones alone.
  CASE WHEN mode = 'pending' THEN now() + interval '1 day' END
FROM rplan;

INSERT INTO ledger_accounts (id, kind, owner_id, currency, no_overdraft)
SELECT md5('wallet-buyer' || b)::uuid, 'user_wallet', md5('buyer' || b)::uuid, 'IDR', true
FROM generate_series(0, ${BUYERS - 1}) b
UNION ALL
SELECT md5('wallet-seller' || s)::uuid, 'user_wallet', md5('seller' || s)::uuid, 'IDR', true
FROM generate_series(0, ${SELLERS - 1}) s
UNION ALL SELECT md5('fees')::uuid, 'platform_fees', NULL, 'IDR', false
UNION ALL SELECT md5('clearing')::uuid, 'gateway_clearing', NULL, 'IDR', false;

INSERT INTO ledger_transactions (id, kind, reference, currency, status, resolved_at)
SELECT md5('topup' || b)::uuid, 'top_up', 'bench-top-up-' || b, 'IDR', 'posted', NULL::timestamptz
FROM generate_series(0, ${BUYERS - 1}) b
UNION ALL
SELECT md5('purchase' || i)::uuid, 'purchase', payment_id::text, 'IDR', 'posted', NULL FROM plan
UNION ALL
SELECT tx_id, 'refund', refund_id::text, 'IDR',
  CASE mode WHEN 'legacy' THEN 'posted' WHEN 'failed' THEN 'voided' ELSE 'pending' END,
  CASE WHEN mode IN ('settled', 'failed') THEN now() END
FROM rplan;

INSERT INTO ledger_transactions (id, kind, reference, currency, status, pending_id)
SELECT settlement_id, 'refund', 'settlement:' || tx_id, 'IDR', 'posted', tx_id FROM rplan WHERE mode = 'settled';

INSERT INTO ledger_entries (transaction_id, account_id, direction, amount)
SELECT md5('topup' || b)::uuid, md5('clearing')::uuid, 'debit', ${TOP_UP_MINOR} FROM generate_series(0, ${BUYERS - 1}) b
UNION ALL
SELECT md5('topup' || b)::uuid, md5('wallet-buyer' || b)::uuid, 'credit', ${TOP_UP_MINOR} FROM generate_series(0, ${BUYERS - 1}) b
UNION ALL SELECT md5('purchase' || i)::uuid, payer_account, 'debit', amount FROM plan
UNION ALL SELECT md5('purchase' || i)::uuid, seller_account, 'credit', amount - fee FROM plan
UNION ALL SELECT md5('purchase' || i)::uuid, md5('fees')::uuid, 'credit', fee FROM plan
UNION ALL SELECT x.t, r.seller_account, 'debit', r.refund_amount - r.fee_part FROM rplan r, LATERAL (
  SELECT r.tx_id AS t UNION ALL SELECT r.settlement_id WHERE r.mode = 'settled') x
UNION ALL SELECT x.t, md5('fees')::uuid, 'debit', r.fee_part FROM rplan r, LATERAL (
  SELECT r.tx_id AS t UNION ALL SELECT r.settlement_id WHERE r.mode = 'settled') x
UNION ALL SELECT x.t, r.payer_account, 'credit', r.refund_amount FROM rplan r, LATERAL (
  SELECT r.tx_id AS t UNION ALL SELECT r.settlement_id WHERE r.mode = 'settled') x;

-- The counters, as the ledger service keeps them: posted transactions, and holds while unresolved.
UPDATE ledger_accounts a SET
  posted_debits = s.posted_debits, posted_credits = s.posted_credits,
  pending_debits = s.pending_debits, pending_credits = s.pending_credits
FROM (
  SELECT e.account_id,
    coalesce(sum(e.amount) FILTER (WHERE t.status = 'posted' AND e.direction = 'debit'), 0) AS posted_debits,
    coalesce(sum(e.amount) FILTER (WHERE t.status = 'posted' AND e.direction = 'credit'), 0) AS posted_credits,
    coalesce(sum(e.amount) FILTER (WHERE t.status = 'pending' AND t.resolved_at IS NULL AND e.direction = 'debit'), 0) AS pending_debits,
    coalesce(sum(e.amount) FILTER (WHERE t.status = 'pending' AND t.resolved_at IS NULL AND e.direction = 'credit'), 0) AS pending_credits
  FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
  GROUP BY e.account_id
) s
WHERE s.account_id = a.id;

DROP TABLE plan, rplan;
`;
}
