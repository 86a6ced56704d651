-- Encryption at rest. Personal data and secrets are AES-256-GCM ciphertexts made by the
-- application's key ring (src/platform/crypto/keyring.ts): `v1:<key id>:<nonce>:<body>`,
-- bound to `<table>.<column>:<primary key>`. SQL has no key, so rows written before this
-- migration keep their plaintext until the re-encryption pass (run in the background at
-- start, and by `mamlaka keys rotate`) rewrites them; readers tell the two apart by shape.

-- users: name, email, phone and shipping address are encrypted. The old CHECKs on name
-- and email (length, lower case, an @) cannot see into a ciphertext; those rules stay in
-- code. Uniqueness of the e-mail moves to email_index, a keyed HMAC of the normalised
-- address (a blind index), under the unique index's old name. Rows from before have no
-- index until the start-up pass fills it, which it does before the server serves.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_name_check;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_check;
DROP INDEX users_email_key;
ALTER TABLE users ADD COLUMN email_index text;
ALTER TABLE users ADD COLUMN phone text;
ALTER TABLE users ADD COLUMN shipping_address text;
CREATE UNIQUE INDEX users_email_key ON users (email_index);

-- mail_messages: the address, subject and bodies are encrypted. A redelivered event must
-- still not queue a second copy, so "once per (event, kind, recipient)" now keys on a
-- blind index of the address instead of the address itself.
ALTER TABLE mail_messages DROP CONSTRAINT IF EXISTS mail_messages_to_address_check;
ALTER TABLE mail_messages ADD COLUMN to_address_index text;
DROP INDEX mail_messages_once_idx;
CREATE UNIQUE INDEX mail_messages_once_idx ON mail_messages (event_id, kind, to_address_index);

-- webhook_endpoints.secret and idempotency_keys.response_body need no change of shape:
-- they become ciphertexts in place.

-- user.registered events carried the new user's name and email; they now carry ids only.
-- What the outbox already holds loses them here (every consumer looks the user up by id).
UPDATE outbox_events SET data = data - 'name' - 'email' WHERE type = 'user.registered';
