// Original file: proto/mamlaka/users/v1/users.proto

export interface User {
  id?: string;
  name?: string;
  email?: string;
  /**
   * buyer, seller or admin
   */
  role?: string;
  /**
   * active or disabled
   */
  status?: string;
  /**
   * RFC 3339
   */
  created_at?: string;
  updated_at?: string;
}

export interface User__Output {
  id?: string;
  name?: string;
  email?: string;
  /**
   * buyer, seller or admin
   */
  role?: string;
  /**
   * active or disabled
   */
  status?: string;
  /**
   * RFC 3339
   */
  created_at?: string;
  updated_at?: string;
}
