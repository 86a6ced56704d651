// Original file: proto/mamlaka/users/v1/users.proto

export interface RegisterUserRequest {
  name?: string;
  email?: string;
  role?: string;
  password?: string;
  confirm_password?: string;
}

export interface RegisterUserRequest__Output {
  name?: string;
  email?: string;
  role?: string;
  password?: string;
  confirm_password?: string;
}
