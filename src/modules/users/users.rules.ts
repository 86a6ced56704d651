import type { Actor, Role } from '../../platform/auth/policy.js';
import { conflict, forbidden, invalidField } from '../../platform/errors.js';
import type { UserRow } from './users.tables.js';

export const PASSWORD_MIN_LENGTH = 8;
/** Long enough for any passphrase, short enough that hashing cannot be used to burn CPU. */
export const PASSWORD_MAX_LENGTH = 128;

/** Emails are compared case-insensitively: stored trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Whether `value` can be a user id (a uuid, any case). */
export const isUserId = (value: string): boolean => UUID.test(value);

export function assertPasswordsMatch(
  password: string,
  confirmation: string,
  field = 'confirm_password',
): void {
  if (password !== confirmation) throw invalidField(field, 'mismatch', `${field} does not match password`);
}

/** Anyone may open a buyer or seller account; only an admin (or the CLI) creates admins. */
export function assertMayRegisterAs(role: Role, actor: Actor | undefined): void {
  if (role === 'admin' && actor?.role !== 'admin') {
    throw forbidden('role_not_allowed', 'only an admin can create an admin account');
  }
}

/** Where a buyer's orders go; stored encrypted as JSON text. */
export interface ShippingAddress {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postal_code: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** The address as stored: trimmed, country upper-cased and checked against ISO 3166-1. */
export function normalizeShippingAddress(address: ShippingAddress): ShippingAddress {
  const country = address.country.toUpperCase();
  const known = /^[A-Z]{2}$/.test(country) ? regionNames.of(country) : undefined;
  if (known === undefined || known === 'Unknown Region')
    throw invalidField('shipping_address.country', 'invalid', 'country must be an ISO 3166-1 alpha-2 code');
  const trimmed = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  return {
    line1: address.line1.trim(),
    ...(trimmed(address.line2) ? { line2: trimmed(address.line2) } : {}),
    city: address.city.trim(),
    ...(trimmed(address.region) ? { region: trimmed(address.region) } : {}),
    postal_code: address.postal_code.trim(),
    country,
  };
}

export interface PublicUser {
  id: string;
  name: string;
  email: string;
  /** E.164, or null when not given. */
  phone: string | null;
  shipping_address: ShippingAddress | null;
  role: Role;
  status: 'active' | 'disabled' | 'erased';
  /** Whether the current address was proved to reach its owner (a link mailed to it was followed). */
  email_verified: boolean;
  created_at: string;
  updated_at: string;
}

export const toPublicUser = (row: UserRow): PublicUser => ({
  id: row.id,
  name: row.name,
  email: row.email,
  phone: row.phone ?? null,
  shipping_address: row.shipping_address ? (JSON.parse(row.shipping_address) as ShippingAddress) : null,
  role: row.role,
  status: row.status,
  email_verified: row.email_verified_at !== null && row.email_verified_at !== undefined,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

/** What admins see of an account: the public profile and when it was disabled. */
export interface AdminUser extends PublicUser {
  disabled_at: string | null;
}

export const toAdminUser = (row: UserRow): AdminUser => ({
  ...toPublicUser(row),
  disabled_at: row.disabled_at?.toISOString() ?? null,
});

/** Refused at login and refresh, only to someone who proved the password or holds a live session. */
export const accountDisabled = () =>
  forbidden('account_disabled', 'this account is disabled; contact support to have it enabled');

/** An admin locking themself out would need another admin to get back in, or the database. */
export function assertNotSelf(actor: Actor, userId: string): void {
  if (actor.userId === userId) {
    throw conflict('cannot_disable_self', 'an admin cannot disable their own account');
  }
}
