-- The transactional outbox: an event is a row written in the same transaction as the
-- change it reports, so it exists exactly when the change does. The relay publishes rows
-- in `position` order and stamps them; only the holder of the relay lease publishes, so
-- several instances never publish the same event in normal operation.
CREATE TABLE outbox_events (
  position bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  type text NOT NULL CHECK (length(type) BETWEEN 1 AND 128),
  aggregate text NOT NULL CHECK (length(aggregate) BETWEEN 1 AND 256),
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at timestamptz
);
CREATE INDEX outbox_events_unpublished_idx ON outbox_events (position) WHERE published_at IS NULL;
CREATE INDEX outbox_events_published_idx ON outbox_events (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE outbox_relay_lease (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- What each consumer has handled, written in the same transaction as the handling's
-- effect: at-least-once delivery with an exactly-once effect.
CREATE TABLE handled_events (
  consumer text NOT NULL,
  event_id uuid NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX handled_events_age_idx ON handled_events (handled_at);
