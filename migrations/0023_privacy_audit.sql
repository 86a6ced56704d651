-- GDPR / CCPA: erased accounts, consent history and the audit log.

-- An erased account keeps its row (payments, refunds and ledger entries name its id, which
-- becomes a pseudonym once nothing maps it to a person) but nothing personal.
ALTER TABLE users DROP CONSTRAINT users_status_check;
ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled', 'erased'));

-- Consent history, append-only by design: the current state of a purpose is its latest row.
-- `granted` is the user's answer to the purpose's question ("send me marketing mail",
-- "do not sell or share my personal data"). `ip` proves where the choice came from (GDPR
-- Art. 7(1)); the rows of an erased user go with the erasure.
CREATE TABLE consents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('marketing_email', 'do_not_sell')),
  granted boolean NOT NULL,
  source text NOT NULL CHECK (source ~ '^[a-z_]{1,40}$'),
  ip text CHECK (length(ip) <= 64),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_user_purpose_idx ON consents (user_id, purpose, id DESC);

-- Who read or changed personal data, and every admin action: ids only, never names or
-- e-mails. `sequence` orders the journal (and is its keyset).
CREATE TABLE audit_log (
  sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_id text CHECK (length(actor_id) <= 64),
  actor_role text CHECK (length(actor_role) <= 20),
  client_id text CHECK (length(client_id) <= 128),
  action text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$' AND length(action) <= 80),
  target_kind text CHECK (length(target_kind) <= 40),
  target_id text CHECK (length(target_id) <= 128),
  subject_user_id uuid,
  ip text CHECK (length(ip) <= 64),
  user_agent text CHECK (length(user_agent) <= 512),
  request_id text CHECK (length(request_id) <= 128),
  status_code integer CHECK (status_code BETWEEN 100 AND 599)
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_user_id, sequence DESC) WHERE subject_user_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, sequence DESC);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);

-- Append-only, enforced by the database rather than by a separate database role: PGlite
-- (the embedded default) has one user, and the sandbox connects as the owner, so grants
-- would protect nothing there. No row is ever updated; a row is deleted only by the
-- retention job, which names its cutoff in the transaction (SET LOCAL
-- mamlaka.audit_delete_before) and may not cut anything younger than a day.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cutoff timestamptz;
BEGIN
  IF TG_OP = 'DELETE' THEN
    cutoff := nullif(current_setting('mamlaka.audit_delete_before', true), '')::timestamptz;
    IF cutoff IS NOT NULL AND cutoff <= now() - interval '1 day' AND OLD.occurred_at < cutoff THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: only entries older than the retention period may be deleted'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
