// Original file: proto/mamlaka/users/v1/users.proto

/**
 * Where a buyer's orders go.
 */
export interface ShippingAddress {
  line1?: string;
  line2?: string;
  city?: string;
  /**
   * State or province.
   */
  region?: string;
  postal_code?: string;
  /**
   * ISO 3166-1 alpha-2, e.g. ID.
   */
  country?: string;
  _line2?: 'line2';
  _region?: 'region';
}

/**
 * Where a buyer's orders go.
 */
export interface ShippingAddress__Output {
  line1?: string;
  line2?: string;
  city?: string;
  /**
   * State or province.
   */
  region?: string;
  postal_code?: string;
  /**
   * ISO 3166-1 alpha-2, e.g. ID.
   */
  country?: string;
}
