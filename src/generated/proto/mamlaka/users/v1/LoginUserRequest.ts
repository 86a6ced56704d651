// Original file: proto/mamlaka/users/v1/users.proto

export interface LoginUserRequest {
  email?: string;
  password?: string;
}

export interface LoginUserRequest__Output {
  email?: string;
  password?: string;
}
