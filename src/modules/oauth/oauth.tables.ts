import type { Generated, Selectable } from 'kysely';

export interface OAuthClientsTable {
  id: string;
  owner_id: string;
  name: string;
  scopes: string[];
  /** Hex SHA-256 of the secret; the secret itself is shown once and never stored. */
  secret_sha256: string;
  /** The `sid` of the client's live access tokens: what revoking them revokes. */
  token_family: Generated<string>;
  created_at: Generated<Date>;
  secret_rotated_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** The tables the oauth module owns. */
export interface OAuthTables {
  oauth_clients: OAuthClientsTable;
}

export type OAuthClientRow = Selectable<OAuthClientsTable>;
