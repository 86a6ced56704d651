// Original file: proto/mamlaka/users/v1/users.proto

export interface UpdateMeRequest {
  name?: string;
  email?: string;
  password?: string;
  confirm_password?: string;
  current_password?: string;
  _name?: 'name';
  _email?: 'email';
  _password?: 'password';
  _confirm_password?: 'confirm_password';
  _current_password?: 'current_password';
}

export interface UpdateMeRequest__Output {
  name?: string;
  email?: string;
  password?: string;
  confirm_password?: string;
  current_password?: string;
}
