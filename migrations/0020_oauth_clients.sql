-- API clients of integrators (OAuth 2.0 client credentials, RFC 6749 §4.4). The secret is
-- kept only as its SHA-256: it is 32 random bytes, so a fast hash cannot be brute-forced
-- and a slow one (argon2) would only make every token request slow. owner_id names a user
-- of the users module: no foreign key crosses a module boundary (see 0012).
CREATE TABLE oauth_clients (
  id text PRIMARY KEY CHECK (id ~ '^mk_client_[A-Za-z0-9_-]{16,64}$'),
  owner_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  scopes text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 64),
  secret_sha256 text NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
  -- The session id (`sid`) of every access token issued to the client: revoking it
  -- (the revoked_sessions machinery) ends them all. A new one is drawn whenever the
  -- secret is rotated or a token is revoked, so later tokens are not caught by it.
  token_family uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  secret_rotated_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX oauth_clients_owner_idx ON oauth_clients (owner_id, created_at DESC);
