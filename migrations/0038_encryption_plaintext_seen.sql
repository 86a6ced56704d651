-- Where plaintext may still be stored in an encrypted column, recorded by the database
-- itself, so that the server's start-up pass over values stored before encryption (see
-- src/platform/crypto/rotation.ts) reads only the columns listed here. Before, it read
-- every encrypted column of every table at every start: on PostgreSQL each `NOT LIKE 'v1:%'`
-- was a full scan, since no index serves it (and a partial one would make every update of
-- the column a non-HOT update).
--
-- Every write of a value that is not a ciphertext lists its column: the platform never
-- writes one, so what lists a column is a rolling upgrade's instance still running code
-- from before encryption, or a hand-made change. The pass removes a column from the list
-- once it finds nothing left there to encrypt, holding the list's row while it looks, so a
-- write that lists the column again either waits for the removal or is seen by the look.
CREATE TABLE encryption_plaintext_seen (
  table_name text NOT NULL,
  column_name text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (table_name, column_name)
);

-- The trigger's arguments name the table's encrypted columns; its WHEN has already found
-- one written as plaintext, so this runs only then.
CREATE FUNCTION note_plaintext_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  written jsonb := to_jsonb(NEW);
  before jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
  col text;
BEGIN
  FOREACH col IN ARRAY TG_ARGV LOOP
    IF written ->> col NOT LIKE 'v1:%' AND (before IS NULL OR before -> col IS DISTINCT FROM written -> col) THEN
      INSERT INTO encryption_plaintext_seen (table_name, column_name) VALUES (TG_TABLE_NAME, col)
      ON CONFLICT (table_name, column_name) DO UPDATE SET seen_at = excluded.seen_at;
    END IF;
  END LOOP;
  RETURN NULL;
END;
$$;

-- One trigger for inserts and one for updates per table, over the columns listed here (an
-- update's WHEN also asks whether the column changed, so the platform's own updates of
-- rows that still hold plaintext, the pass's included, never fire it); then the columns that
-- already hold plaintext, or (the e-mail columns) lack their blind index, are listed: one
-- read of each, this once. Keep `watched` equal to src/encrypted-columns.ts:
-- test/e2e/encryption.plaintext-seen.test.ts compares the triggers with it.
DO $$
DECLARE
  watched CONSTANT jsonb := '[
    ["users", ["name", "email", "phone", "shipping_address"]],
    ["user_totp", ["secret"]],
    ["webhook_endpoints", ["secret"]],
    ["mail_messages", ["to_address", "subject", "text_body", "html_body"]],
    ["idempotency_keys", ["response_body"]],
    ["payout_destinations", ["account_number", "holder_name"]],
    ["addresses", ["name", "line1", "line2", "city", "region", "postal_code", "phone"]]
  ]';
  blind_indexes CONSTANT jsonb := '{"users.email": "email_index", "mail_messages.to_address": "to_address_index"}';
  item jsonb;
  tbl text;
  cols text[];
  col text;
  args text;
  stale text;
BEGIN
  FOR item IN SELECT * FROM jsonb_array_elements(watched) LOOP
    tbl := item ->> 0;
    cols := ARRAY(SELECT jsonb_array_elements_text(item -> 1));
    args := (SELECT string_agg(quote_literal(c), ', ') FROM unnest(cols) c);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT ON %I FOR EACH ROW WHEN (%s) EXECUTE FUNCTION note_plaintext_written(%s)',
      tbl || '_plaintext_inserted', tbl,
      (SELECT string_agg(format('NEW.%I NOT LIKE ''v1:%%''', c), ' OR ') FROM unnest(cols) c), args);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER UPDATE OF %s ON %I FOR EACH ROW WHEN (%s) EXECUTE FUNCTION note_plaintext_written(%s)',
      tbl || '_plaintext_updated', (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cols) c), tbl,
      (SELECT string_agg(format('(NEW.%1$I NOT LIKE ''v1:%%'' AND NEW.%1$I IS DISTINCT FROM OLD.%1$I)', c), ' OR ')
        FROM unnest(cols) c),
      args);
    FOREACH col IN ARRAY cols LOOP
      stale := format('%I NOT LIKE ''v1:%%''', col);
      IF blind_indexes ? (tbl || '.' || col) THEN
        stale := stale || format(' OR (%I IS NOT NULL AND %I IS NULL)', col, blind_indexes ->> (tbl || '.' || col));
      END IF;
      EXECUTE format(
        'INSERT INTO encryption_plaintext_seen (table_name, column_name) SELECT %L, %L WHERE EXISTS (SELECT 1 FROM %I WHERE %s)',
        tbl, col, tbl, stale);
    END LOOP;
  END LOOP;
END;
$$;
