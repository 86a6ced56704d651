-- Refunds in two phases. A refund is first written `pending` together with a ledger hold
-- (the sellers' and the platform's shares reserved, nothing moved yet), then the payment
-- provider is asked, outside any transaction; its answer posts the hold (`succeeded`) or
-- voids it (`failed`). An unknown answer leaves the refund `pending` for the reconciler.
--
-- refunds.ledger_transaction_id is the hold (kind 'refund', reference = the refund id);
-- refunds made before this migration were posted at once, so their status is 'succeeded'.
ALTER TABLE refunds
  ADD COLUMN status text NOT NULL DEFAULT 'succeeded' CHECK (status IN ('pending', 'succeeded', 'failed')),
  -- What the gateway knows this refund by: stable across every retry of it.
  ADD COLUMN refund_key text,
  ADD COLUMN currency text,
  ADD COLUMN failure_code text,
  ADD COLUMN failure_message text,
  -- When the reconciler next asks the gateway about a pending refund, and how often it has.
  ADD COLUMN next_check_at timestamptz,
  ADD COLUMN check_attempts integer NOT NULL DEFAULT 0 CHECK (check_attempts >= 0),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

UPDATE refunds r SET refund_key = r.id::text, currency = p.currency
  FROM payments p WHERE p.id = r.payment_id;

ALTER TABLE refunds
  ALTER COLUMN status DROP DEFAULT,
  ALTER COLUMN refund_key SET NOT NULL,
  ALTER COLUMN currency SET NOT NULL,
  ADD CONSTRAINT refunds_refund_key_length CHECK (char_length(refund_key) BETWEEN 1 AND 50),
  ADD CONSTRAINT refunds_currency CHECK (currency ~ '^[A-Z]{3}$'),
  ADD CONSTRAINT refunds_failure CHECK ((status = 'failed') = (failure_code IS NOT NULL));

CREATE UNIQUE INDEX refunds_refund_key_idx ON refunds (payment_id, refund_key);
CREATE INDEX refunds_pending_idx ON refunds (next_check_at) WHERE status = 'pending';

-- Money promised back but not yet confirmed by the provider. Together with what has been
-- refunded it can never exceed the payment, whatever runs concurrently.
ALTER TABLE payments
  ADD COLUMN refund_pending_minor bigint NOT NULL DEFAULT 0 CHECK (refund_pending_minor >= 0),
  ADD CONSTRAINT payments_refunds_within_amount CHECK (refunded_minor + refund_pending_minor <= amount_minor);

-- Leases of background jobs that must run on one instance at a time (the outbox relay,
-- the refund reconciler): one row per job.
ALTER TABLE outbox_relay_lease RENAME TO job_leases;
