-- Sign in with OpenID Connect. An account made from a provider's identity has no password
-- of ours: password_hash may be NULL, and a password login of such an account fails as a
-- wrong password does (the CHECK on the hash's format lets NULL through).
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

-- Which provider account signs in as which user: the ID token's (iss, sub) pair, the only
-- identifier OpenID Connect promises is stable. No e-mail copy is kept: the user's own
-- e-mail is the one that counts, and a copy would be personal data to encrypt and erase.
CREATE TABLE user_identities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  issuer text NOT NULL CHECK (char_length(issuer) BETWEEN 1 AND 2048),
  subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_signed_in_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issuer, subject),
  -- One account of a provider per user: a second would be a second way in nobody asked for.
  UNIQUE (user_id, issuer)
);

-- Sign-ins under way, between the redirect to the provider and its answer (minutes at most).
-- Keyed by the SHA-256 of `state`; deleted when the answer comes, so each can finish once.
-- The PKCE verifier is encrypted with the key ring (context oidc_logins.code_verifier:<state_hash>).
CREATE TABLE oidc_logins (
  state_hash text PRIMARY KEY CHECK (char_length(state_hash) = 64),
  nonce text NOT NULL CHECK (char_length(nonce) BETWEEN 16 AND 128),
  code_verifier text NOT NULL CHECK (char_length(code_verifier) <= 512),
  return_to text NOT NULL CHECK (char_length(return_to) BETWEEN 1 AND 512 AND return_to LIKE '/%'),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);

-- The one-time codes the web app exchanges for a session after a sign-in (POST
-- /auth/oidc/exchange), so no token ever travels in a URL. Only their SHA-256 is kept.
CREATE TABLE oidc_sign_in_codes (
  code_hash text PRIMARY KEY CHECK (char_length(code_hash) = 64),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_sign_in_codes_expires_idx ON oidc_sign_in_codes (expires_at);
CREATE INDEX oidc_sign_in_codes_user_idx ON oidc_sign_in_codes (user_id);
