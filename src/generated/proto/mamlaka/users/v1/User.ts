// Original file: proto/mamlaka/users/v1/users.proto

import type {
  ShippingAddress as _mamlaka_users_v1_ShippingAddress,
  ShippingAddress__Output as _mamlaka_users_v1_ShippingAddress__Output,
} from '../../../mamlaka/users/v1/ShippingAddress.js';

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
  /**
   * Whether the current address was proved to reach its owner.
   */
  email_verified?: boolean;
  /**
   * E.164; unset when not given.
   */
  phone?: string;
  /**
   * Unset when not given.
   */
  shipping_address?: _mamlaka_users_v1_ShippingAddress | null;
  _phone?: 'phone';
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
  /**
   * Whether the current address was proved to reach its owner.
   */
  email_verified?: boolean;
  /**
   * E.164; unset when not given.
   */
  phone?: string;
  /**
   * Unset when not given.
   */
  shipping_address?: _mamlaka_users_v1_ShippingAddress__Output;
}
