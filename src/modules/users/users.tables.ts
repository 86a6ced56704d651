import type { Generated, Selectable } from 'kysely';
import type { Role } from '../../platform/auth/policy.js';

export interface UsersTable {
  id: Generated<string>;
  /** Encrypted at rest (users.encryption.ts); the repository reads and writes plaintext. */
  name: string;
  /** Encrypted at rest; found through email_index only. */
  email: string;
  /** Blind index (keyed HMAC) of the normalised email: unique, what lookups by email use. */
  email_index: string | null;
  /** Encrypted at rest; E.164. */
  phone: string | null;
  /** Encrypted at rest; the ShippingAddress as JSON text. */
  shipping_address: string | null;
  role: Role;
  /** NULL for an account made from an OpenID Connect identity: no password signs it in. */
  password_hash: string | null;
  /** 'erased': personal data anonymised on the person's request (GDPR Art. 17); the row stays as a pseudonym. */
  status: Generated<'active' | 'disabled' | 'erased'>;
  /** Set exactly when status is 'disabled' (a CHECK holds the two in step). */
  disabled_at: Date | null;
  /** When the current address was proved to reach its owner; NULL until then and after a change. */
  email_verified_at: Generated<Date | null>;
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
