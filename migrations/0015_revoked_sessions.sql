-- Sessions (refresh-token families) whose access tokens are refused before they expire:
-- logout, a password or email change, refresh-token reuse. Without Redis every instance
-- polls this table into an in-process set. A row is useless once every access token it
-- covers has expired (expires_at), and is deleted then.
CREATE TABLE revoked_sessions (
  session_id uuid PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_sessions_expires_idx ON revoked_sessions (expires_at);
