-- Account recovery and verification: verified e-mail addresses, one-time tokens (e-mail
-- verification, password reset, the second step of a two-factor login), and TOTP two-factor
-- sign-in with recovery codes.

-- When the current address was proved to reach its owner; an e-mail change clears it.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- One-time tokens handed to a user (in a mail, or in a login answer). Only the SHA-256 of
-- the token is kept, so a copy of the database cannot use them. A token is spent by one
-- UPDATE ... WHERE used_at IS NULL AND expires_at > now(): of two concurrent uses one wins.
CREATE TABLE user_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'mfa_login')),
  token_hash text NOT NULL UNIQUE CHECK (char_length(token_hash) = 64),
  -- The address a verification token is FOR (the user may change it again before clicking):
  -- a keyed HMAC (the key ring's blind index), never the address itself.
  email_hash text CHECK (char_length(email_hash) <= 64),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (expires_at > created_at),
  CHECK ((purpose = 'verify_email') = (email_hash IS NOT NULL))
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX user_tokens_expires_idx ON user_tokens (expires_at);

-- A user's TOTP authenticator (RFC 6238). The seed is key-ring ciphertext (context
-- `user_totp.secret:<user_id>`). It signs nobody in until confirmed with a first code.
-- last_used_step is the newest time step accepted: a code is never accepted twice.
CREATE TABLE user_totp (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret text NOT NULL CHECK (char_length(secret) <= 512),
  confirmed_at timestamptz,
  last_used_step bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One-time recovery codes for when the authenticator is lost: SHA-256 of 80 random bits
-- each (too many to guess even from a copy of the table), spent once.
CREATE TABLE user_recovery_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL CHECK (char_length(code_hash) = 64),
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, code_hash)
);
