// Original file: proto/mamlaka/users/v1/users.proto

export interface Session {
  /**
   * The user's id.
   */
  id?: string;
  role?: string;
  /**
   * Access token (JWT, EdDSA).
   */
  token?: string;
  /**
   * Always "Bearer".
   */
  token_type?: string;
  /**
   * Seconds until the access token expires.
   */
  expires_in?: number;
  /**
   * Single use; exchange with RefreshSession.
   */
  refresh_token?: string;
  refresh_expires_in?: number;
  /**
   * True when the session may only set up two-factor sign-in (admins where it is required).
   */
  mfa_enrollment_required?: boolean;
}

export interface Session__Output {
  /**
   * The user's id.
   */
  id?: string;
  role?: string;
  /**
   * Access token (JWT, EdDSA).
   */
  token?: string;
  /**
   * Always "Bearer".
   */
  token_type?: string;
  /**
   * Seconds until the access token expires.
   */
  expires_in?: number;
  /**
   * Single use; exchange with RefreshSession.
   */
  refresh_token?: string;
  refresh_expires_in?: number;
  /**
   * True when the session may only set up two-factor sign-in (admins where it is required).
   */
  mfa_enrollment_required?: boolean;
}
