// Original file: proto/mamlaka/users/v1/users.proto

export interface GetUserByIDRequest {
  id?: string;
}

export interface GetUserByIDRequest__Output {
  id?: string;
}
