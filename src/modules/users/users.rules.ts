import type { Actor, Role } from '../../platform/auth/policy.js';
import { forbidden, invalidField } from '../../platform/errors.js';
import type { UserRow } from './users.tables.js';

export const PASSWORD_MIN_LENGTH = 8;
/** Long enough for any passphrase, short enough that hashing cannot be used to burn CPU. */
export const PASSWORD_MAX_LENGTH = 128;

/** Emails are compared case-insensitively: stored trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

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

export interface PublicUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
}

export const toPublicUser = (row: UserRow): PublicUser => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: row.role,
  status: row.status,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});
