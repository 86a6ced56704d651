// Original file: proto/mamlaka/users/v1/users.proto

import type {
  ShippingAddress as _mamlaka_users_v1_ShippingAddress,
  ShippingAddress__Output as _mamlaka_users_v1_ShippingAddress__Output,
} from '../../../mamlaka/users/v1/ShippingAddress.js';

export interface UpdateMeRequest {
  name?: string;
  email?: string;
  password?: string;
  confirm_password?: string;
  current_password?: string;
  /**
   * E.164; the empty string removes it.
   */
  phone?: string;
  shipping_address?: _mamlaka_users_v1_ShippingAddress | null;
  /**
   * True removes the shipping address.
   */
  remove_shipping_address?: boolean;
  _name?: 'name';
  _email?: 'email';
  _password?: 'password';
  _confirm_password?: 'confirm_password';
  _current_password?: 'current_password';
  _phone?: 'phone';
}

export interface UpdateMeRequest__Output {
  name?: string;
  email?: string;
  password?: string;
  confirm_password?: string;
  current_password?: string;
  /**
   * E.164; the empty string removes it.
   */
  phone?: string;
  shipping_address?: _mamlaka_users_v1_ShippingAddress__Output;
  /**
   * True removes the shipping address.
   */
  remove_shipping_address?: boolean;
}
