// Original file: proto/mamlaka/users/v1/users.proto

export interface LogoutResponse {}

export interface LogoutResponse__Output {}
