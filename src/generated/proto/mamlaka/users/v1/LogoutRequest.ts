// Original file: proto/mamlaka/users/v1/users.proto

export interface LogoutRequest {
  /**
   * The session to end; unset ends every session of the caller.
   */
  refresh_token?: string;
  _refresh_token?: 'refresh_token';
}

export interface LogoutRequest__Output {
  /**
   * The session to end; unset ends every session of the caller.
   */
  refresh_token?: string;
}
