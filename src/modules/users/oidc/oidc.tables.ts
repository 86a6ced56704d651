import type { Generated, Selectable } from 'kysely';

/** A provider account that signs in as a user: the ID token's (iss, sub). */
export interface UserIdentitiesTable {
  id: Generated<string>;
  user_id: string;
  issuer: string;
  subject: string;
  created_at: Generated<Date>;
  last_signed_in_at: Generated<Date>;
}

/** A sign-in between the redirect to the provider and its answer. */
export interface OidcLoginsTable {
  state_hash: string;
  nonce: string;
  /** Key-ring ciphertext, context `oidc_logins.code_verifier:<state_hash>`. */
  code_verifier: string;
  return_to: string;
  expires_at: Date;
  created_at: Generated<Date>;
}

/** A finished sign-in waiting for the web app to exchange its one-time code for a session. */
export interface OidcSignInCodesTable {
  code_hash: string;
  user_id: string;
  expires_at: Date;
  created_at: Generated<Date>;
}

/** The users module's tables for OpenID Connect sign-in. */
export interface OidcTables {
  user_identities: UserIdentitiesTable;
  oidc_logins: OidcLoginsTable;
  oidc_sign_in_codes: OidcSignInCodesTable;
}

export type UserIdentityRow = Selectable<UserIdentitiesTable>;
export type OidcLoginRow = Selectable<OidcLoginsTable>;
