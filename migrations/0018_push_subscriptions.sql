-- Web Push: the browsers (push subscriptions) each user allowed to notify them, and one
-- delivery row per (event, subscription). Deliveries are rows, not timers, so retries
-- survive restarts and several senders share the queue (FOR UPDATE SKIP LOCKED on the
-- due index), as mail and webhooks do. user_id names a user of the users module: no
-- foreign key crosses a module boundary (see 0012).
CREATE TABLE push_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  -- The push service's capability URL: whoever holds it can reach that browser.
  endpoint text NOT NULL UNIQUE CHECK (length(endpoint) <= 2048),
  p256dh text NOT NULL CHECK (length(p256dh) <= 128),
  auth text NOT NULL CHECK (length(auth) <= 64),
  user_agent text CHECK (length(user_agent) <= 512),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id, updated_at DESC);

CREATE TABLE push_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- A subscription the push service says is gone takes its deliveries with it.
  subscription_id uuid NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  user_id uuid NOT NULL,
  -- The JSON the browser decrypts ({title, body, url, tag}), rendered when queued.
  payload text NOT NULL CHECK (length(payload) <= 3000),
  urgency text NOT NULL CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE UNIQUE INDEX push_deliveries_once_idx ON push_deliveries (event_id, subscription_id);
CREATE INDEX push_deliveries_due_idx ON push_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX push_deliveries_subscription_idx ON push_deliveries (subscription_id);
