// Original file: proto/mamlaka/users/v1/users.proto

export interface RefreshSessionRequest {
  refresh_token?: string;
}

export interface RefreshSessionRequest__Output {
  refresh_token?: string;
}
