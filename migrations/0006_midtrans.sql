-- Every Midtrans notification, kept raw with what we made of it: the audit trail of a
-- payment settled by someone else's system.
CREATE TABLE midtrans_notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id text NOT NULL,
  transaction_status text,
  signature_valid boolean NOT NULL,
  outcome text NOT NULL,
  raw jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX midtrans_notifications_order_idx ON midtrans_notifications (order_id, received_at);
