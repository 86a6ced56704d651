import type { Generated, Selectable } from 'kysely';
import type { Role } from '../../platform/auth/policy.js';

export interface UsersTable {
  id: Generated<string>;
  name: string;
  email: string;
  role: Role;
  password_hash: string;
  status: Generated<'active' | 'disabled'>;
  /** Set exactly when status is 'disabled' (a CHECK holds the two in step). */
  disabled_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  family_id: string;
  user_id: string;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

/** The tables the users module owns; no other module may name them. */
export interface UsersTables {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
}

export type UserRow = Selectable<UsersTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
