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

-- One trigger for inserts and one for updates per table (an update's WHEN also asks whether
-- the column changed, so the platform's own updates of rows that still hold plaintext, the
-- pass's included, never fire it). Keep the lists equal to src/encrypted-columns.ts:
-- test/e2e/encryption.plaintext-seen.test.ts compares them.
CREATE TRIGGER users_plaintext_inserted AFTER INSERT ON users FOR EACH ROW
  WHEN (NEW.name NOT LIKE 'v1:%' OR NEW.email NOT LIKE 'v1:%' OR NEW.phone NOT LIKE 'v1:%'
    OR NEW.shipping_address NOT LIKE 'v1:%')
  EXECUTE FUNCTION note_plaintext_written('name', 'email', 'phone', 'shipping_address');
CREATE TRIGGER users_plaintext_updated AFTER UPDATE OF name, email, phone, shipping_address ON users
  FOR EACH ROW
  WHEN ((NEW.name NOT LIKE 'v1:%' AND NEW.name IS DISTINCT FROM OLD.name)
    OR (NEW.email NOT LIKE 'v1:%' AND NEW.email IS DISTINCT FROM OLD.email)
    OR (NEW.phone NOT LIKE 'v1:%' AND NEW.phone IS DISTINCT FROM OLD.phone)
    OR (NEW.shipping_address NOT LIKE 'v1:%' AND NEW.shipping_address IS DISTINCT FROM OLD.shipping_address))
  EXECUTE FUNCTION note_plaintext_written('name', 'email', 'phone', 'shipping_address');

CREATE TRIGGER user_totp_plaintext_inserted AFTER INSERT ON user_totp FOR EACH ROW
  WHEN (NEW.secret NOT LIKE 'v1:%')
  EXECUTE FUNCTION note_plaintext_written('secret');
CREATE TRIGGER user_totp_plaintext_updated AFTER UPDATE OF secret ON user_totp FOR EACH ROW
  WHEN (NEW.secret NOT LIKE 'v1:%' AND NEW.secret IS DISTINCT FROM OLD.secret)
  EXECUTE FUNCTION note_plaintext_written('secret');

CREATE TRIGGER webhook_endpoints_plaintext_inserted AFTER INSERT ON webhook_endpoints FOR EACH ROW
  WHEN (NEW.secret NOT LIKE 'v1:%')
  EXECUTE FUNCTION note_plaintext_written('secret');
CREATE TRIGGER webhook_endpoints_plaintext_updated AFTER UPDATE OF secret ON webhook_endpoints FOR EACH ROW
  WHEN (NEW.secret NOT LIKE 'v1:%' AND NEW.secret IS DISTINCT FROM OLD.secret)
  EXECUTE FUNCTION note_plaintext_written('secret');

CREATE TRIGGER mail_messages_plaintext_inserted AFTER INSERT ON mail_messages FOR EACH ROW
  WHEN (NEW.to_address NOT LIKE 'v1:%' OR NEW.subject NOT LIKE 'v1:%' OR NEW.text_body NOT LIKE 'v1:%'
    OR NEW.html_body NOT LIKE 'v1:%')
  EXECUTE FUNCTION note_plaintext_written('to_address', 'subject', 'text_body', 'html_body');
CREATE TRIGGER mail_messages_plaintext_updated AFTER UPDATE OF to_address, subject, text_body, html_body
  ON mail_messages FOR EACH ROW
  WHEN ((NEW.to_address NOT LIKE 'v1:%' AND NEW.to_address IS DISTINCT FROM OLD.to_address)
    OR (NEW.subject NOT LIKE 'v1:%' AND NEW.subject IS DISTINCT FROM OLD.subject)
    OR (NEW.text_body NOT LIKE 'v1:%' AND NEW.text_body IS DISTINCT FROM OLD.text_body)
    OR (NEW.html_body NOT LIKE 'v1:%' AND NEW.html_body IS DISTINCT FROM OLD.html_body))
  EXECUTE FUNCTION note_plaintext_written('to_address', 'subject', 'text_body', 'html_body');

CREATE TRIGGER idempotency_keys_plaintext_inserted AFTER INSERT ON idempotency_keys FOR EACH ROW
  WHEN (NEW.response_body NOT LIKE 'v1:%')
  EXECUTE FUNCTION note_plaintext_written('response_body');
CREATE TRIGGER idempotency_keys_plaintext_updated AFTER UPDATE OF response_body ON idempotency_keys
  FOR EACH ROW
  WHEN (NEW.response_body NOT LIKE 'v1:%' AND NEW.response_body IS DISTINCT FROM OLD.response_body)
  EXECUTE FUNCTION note_plaintext_written('response_body');

CREATE TRIGGER payout_destinations_plaintext_inserted AFTER INSERT ON payout_destinations FOR EACH ROW
  WHEN (NEW.account_number NOT LIKE 'v1:%' OR NEW.holder_name NOT LIKE 'v1:%')
  EXECUTE FUNCTION note_plaintext_written('account_number', 'holder_name');
CREATE TRIGGER payout_destinations_plaintext_updated AFTER UPDATE OF account_number, holder_name
  ON payout_destinations FOR EACH ROW
  WHEN ((NEW.account_number NOT LIKE 'v1:%' AND NEW.account_number IS DISTINCT FROM OLD.account_number)
    OR (NEW.holder_name NOT LIKE 'v1:%' AND NEW.holder_name IS DISTINCT FROM OLD.holder_name))
  EXECUTE FUNCTION note_plaintext_written('account_number', 'holder_name');

CREATE TRIGGER addresses_plaintext_inserted AFTER INSERT ON addresses FOR EACH ROW
  WHEN (NEW.name NOT LIKE 'v1:%' OR NEW.line1 NOT LIKE 'v1:%' OR NEW.line2 NOT LIKE 'v1:%'
    OR NEW.city NOT LIKE 'v1:%' OR NEW.region NOT LIKE 'v1:%' OR NEW.postal_code NOT LIKE 'v1:%'
    OR NEW.phone NOT LIKE 'v1:%')
  EXECUTE FUNCTION note_plaintext_written('name', 'line1', 'line2', 'city', 'region', 'postal_code', 'phone');
CREATE TRIGGER addresses_plaintext_updated AFTER UPDATE OF name, line1, line2, city, region, postal_code, phone
  ON addresses FOR EACH ROW
  WHEN ((NEW.name NOT LIKE 'v1:%' AND NEW.name IS DISTINCT FROM OLD.name)
    OR (NEW.line1 NOT LIKE 'v1:%' AND NEW.line1 IS DISTINCT FROM OLD.line1)
    OR (NEW.line2 NOT LIKE 'v1:%' AND NEW.line2 IS DISTINCT FROM OLD.line2)
    OR (NEW.city NOT LIKE 'v1:%' AND NEW.city IS DISTINCT FROM OLD.city)
    OR (NEW.region NOT LIKE 'v1:%' AND NEW.region IS DISTINCT FROM OLD.region)
    OR (NEW.postal_code NOT LIKE 'v1:%' AND NEW.postal_code IS DISTINCT FROM OLD.postal_code)
    OR (NEW.phone NOT LIKE 'v1:%' AND NEW.phone IS DISTINCT FROM OLD.phone))
  EXECUTE FUNCTION note_plaintext_written('name', 'line1', 'line2', 'city', 'region', 'postal_code', 'phone');

-- What is stored already: every column with a value not yet encrypted, or (the e-mail
-- columns) without its blind index, as the pass has looked for until now. One read of each
-- table, this once.
INSERT INTO encryption_plaintext_seen (table_name, column_name)
SELECT 'users', c FROM unnest(ARRAY['name', 'email', 'phone', 'shipping_address']) AS c
WHERE EXISTS (SELECT 1 FROM users u WHERE
  CASE c WHEN 'name' THEN u.name NOT LIKE 'v1:%'
    WHEN 'email' THEN u.email NOT LIKE 'v1:%' OR (u.email IS NOT NULL AND u.email_index IS NULL)
    WHEN 'phone' THEN u.phone NOT LIKE 'v1:%'
    ELSE u.shipping_address NOT LIKE 'v1:%' END);
INSERT INTO encryption_plaintext_seen (table_name, column_name)
SELECT 'user_totp', 'secret' WHERE EXISTS (SELECT 1 FROM user_totp WHERE secret NOT LIKE 'v1:%');
INSERT INTO encryption_plaintext_seen (table_name, column_name)
SELECT 'webhook_endpoints', 'secret' WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE secret NOT LIKE 'v1:%');
INSERT INTO encryption_plaintext_seen (table_name, column_name)
SELECT 'mail_messages', c FROM unnest(ARRAY['to_address', 'subject', 'text_body', 'html_body']) AS c
WHERE EXISTS (SELECT 1 FROM mail_messages m WHERE
  CASE c WHEN 'to_address' THEN m.to_address NOT LIKE 'v1:%'
      OR (m.to_address IS NOT NULL AND m.to_address_index IS NULL)
    WHEN 'subject' THEN m.subject NOT LIKE 'v1:%'
    WHEN 'text_body' THEN m.text_body NOT LIKE 'v1:%'
    ELSE m.html_body NOT LIKE 'v1:%' END);
INSERT INTO encryption_plaintext_seen (table_name, column_name)
SELECT 'idempotency_keys', 'response_body'
WHERE EXISTS (SELECT 1 FROM idempotency_keys WHERE response_body NOT LIKE 'v1:%');
INSERT INTO encryption_plaintext_seen (table_name, column_name)
SELECT 'payout_destinations', c FROM unnest(ARRAY['account_number', 'holder_name']) AS c
WHERE EXISTS (SELECT 1 FROM payout_destinations p WHERE
  CASE c WHEN 'account_number' THEN p.account_number NOT LIKE 'v1:%' ELSE p.holder_name NOT LIKE 'v1:%' END);
INSERT INTO encryption_plaintext_seen (table_name, column_name)
SELECT 'addresses', c FROM unnest(ARRAY['name', 'line1', 'line2', 'city', 'region', 'postal_code', 'phone']) AS c
WHERE EXISTS (SELECT 1 FROM addresses a WHERE
  CASE c WHEN 'name' THEN a.name NOT LIKE 'v1:%' WHEN 'line1' THEN a.line1 NOT LIKE 'v1:%'
    WHEN 'line2' THEN a.line2 NOT LIKE 'v1:%' WHEN 'city' THEN a.city NOT LIKE 'v1:%'
    WHEN 'region' THEN a.region NOT LIKE 'v1:%' WHEN 'postal_code' THEN a.postal_code NOT LIKE 'v1:%'
    ELSE a.phone NOT LIKE 'v1:%' END);
