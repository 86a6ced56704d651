-- Top-ups paid through a gateway (Midtrans): pending until the gateway's confirmed
-- notification credits the wallet, which the ledger does once (its reference is the top-up id).
CREATE TABLE wallet_top_ups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  method text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'expired')),
  failure_code text,
  payment_url text,
  token text,
  ledger_transaction_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'succeeded') = (ledger_transaction_id IS NOT NULL))
);
CREATE INDEX wallet_top_ups_user_idx ON wallet_top_ups (user_id, created_at DESC);
