-- Idempotency keys for money-moving requests (Stripe's semantics). A key belongs to one
-- caller (`scope`); the first request with it claims the row (`in_flight`, leased until
-- `locked_until` and owned by `lock_id`) and its response is kept (`completed`) so that a
-- retry gets the same answer. Rows live until `expires_at`, at least 24 hours.
CREATE TABLE idempotency_keys (
  scope text NOT NULL CHECK (char_length(scope) BETWEEN 1 AND 255),
  key text NOT NULL CHECK (key ~ '^[\x21-\x7E]{1,255}$'),
  fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  method text NOT NULL CHECK (method ~ '^[A-Z]{1,16}$'),
  path text NOT NULL CHECK (path <> ''),
  status text NOT NULL CHECK (status IN ('in_flight', 'completed')),
  lock_id uuid,
  locked_until timestamptz,
  response_status integer CHECK (response_status BETWEEN 100 AND 599),
  response_content_type text,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key),
  CHECK (expires_at > created_at),
  -- A row is either held by one live request or holds the response it gave, never both.
  CHECK (
    (status = 'in_flight' AND lock_id IS NOT NULL AND locked_until IS NOT NULL
      AND response_status IS NULL AND response_body IS NULL AND completed_at IS NULL)
    OR (status = 'completed' AND lock_id IS NULL AND locked_until IS NULL
      AND response_status IS NOT NULL AND response_body IS NOT NULL AND completed_at IS NOT NULL)
  )
);

-- The cleanup deletes by age.
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
