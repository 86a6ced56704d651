import type { EncryptedColumns } from '../../platform/crypto/reencrypt.js';
import type { Generated, Selectable } from 'kysely';

export type TokenPurpose = 'verify_email' | 'password_reset' | 'mfa_login';

/** One-time tokens (migration 0022): only their SHA-256 is stored. */
export interface UserTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: TokenPurpose;
  token_hash: string;
  /** verify_email only: the blind index of the address being verified. */
  email_hash: string | null;
  expires_at: Date;
  used_at: Date | null;
  created_at: Generated<Date>;
}

export interface UserTotpTable {
  user_id: string;
  /** Key-ring ciphertext, context `user_totp.secret:<user_id>`. */
  secret: string;
  confirmed_at: Date | null;
  last_used_step: bigint | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface UserRecoveryCodesTable {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: Generated<Date>;
}

/** The users module's account-recovery tables (and the one users column they touch). */
export interface RecoveryTables {
  user_tokens: UserTokensTable;
  user_totp: UserTotpTable;
  user_recovery_codes: UserRecoveryCodesTable;
  users: { id: string; email_verified_at: Date | null; updated_at: Date };
}

export type UserTokenRow = Selectable<UserTokensTable>;
export type UserTotpRow = Selectable<UserTotpTable>;

/** The TOTP seeds, for the key rotation job (beside usersEncryptedColumns). */
export const recoveryEncryptedColumns: EncryptedColumns[] = [
  { table: 'user_totp', key: ['user_id'], columns: ['secret'] },
];
