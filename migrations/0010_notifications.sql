-- Mail the notification service sends: one row per (event, kind, recipient), so a
-- redelivered event cannot queue a second copy. Rendered when queued: a receipt shows the
-- payment as it was at that moment. Sent by a loop that leases due rows, with backoff.
CREATE TABLE mail_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid,
  kind text NOT NULL,
  category text NOT NULL CHECK (category IN ('transactional', 'marketing')),
  user_id uuid,
  to_address text NOT NULL CHECK (length(to_address) <= 320),
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  message_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE UNIQUE INDEX mail_messages_once_idx ON mail_messages (event_id, kind, to_address);
CREATE INDEX mail_messages_due_idx ON mail_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_messages_user_idx ON mail_messages (user_id, created_at DESC);

CREATE TABLE mail_attempts (
  id bigserial PRIMARY KEY,
  mail_id uuid NOT NULL REFERENCES mail_messages (id) ON DELETE CASCADE,
  attempted_at timestamptz NOT NULL DEFAULT now(),
  error text,
  duration_ms integer NOT NULL
);
CREATE INDEX mail_attempts_mail_idx ON mail_attempts (mail_id, attempted_at);

-- A user's choice about marketing mail, with when it was made (transactional mail always goes).
CREATE TABLE mail_preferences (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  marketing boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
