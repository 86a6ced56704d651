import type { KeyRing } from '../../platform/crypto/keyring.js';
import { type EncryptedColumns, fieldContext } from '../../platform/crypto/reencrypt.js';
import { normalizeEmail } from './users.rules.js';
import type { UsersTable } from './users.tables.js';

/** `purpose` of the e-mail blind index: the only way an e-mail is looked up. */
const EMAIL_INDEX_PURPOSE = 'users.email';

/** The personal data of a user kept encrypted; ids, role and status stay plain for queries. */
const SEALED = ['name', 'email', 'phone', 'shipping_address'] as const;
type SealedField = (typeof SEALED)[number];

/** The users module's encrypted columns, for the rotation job (collected in src/encrypted-columns.ts). */
export const usersEncryptedColumns: EncryptedColumns[] = [
  {
    table: 'users',
    key: ['id'],
    columns: SEALED,
    blindIndexes: [
      { column: 'email_index', of: 'email', purpose: EMAIL_INDEX_PURPOSE, normalize: normalizeEmail },
    ],
  },
];

/** The keyed HMAC under which an address is stored and found (unique, so one account per address). */
export const emailIndexOf = (ring: KeyRing, email: string): string =>
  ring.blindIndex(normalizeEmail(email), EMAIL_INDEX_PURPOSE);

type Plain = Partial<Pick<UsersTable, SealedField>>;

/** The columns to write for plaintext fields of user `id`: ciphertexts, and the e-mail's blind index. */
export function sealUser(ring: KeyRing, id: string, fields: Plain): Plain & { email_index?: string } {
  const sealed: Plain & { email_index?: string } = {};
  for (const field of SEALED) {
    const value = fields[field];
    if (value === undefined) continue;
    sealed[field] = (value === null ? null : ring.encrypt(value, fieldContext('users', field, id))) as never;
  }
  if (fields.email !== undefined) sealed.email_index = emailIndexOf(ring, fields.email);
  return sealed;
}

/** A row as read, with its personal data decrypted (legacy plaintext rows read as they are). */
export function openUser<T extends { id: string } & Plain>(ring: KeyRing, row: T): T {
  const opened = { ...row };
  for (const field of SEALED) {
    const value = row[field];
    if (value === undefined || value === null) continue;
    opened[field] = ring.open(value, fieldContext('users', field, row.id)) as never;
  }
  return opened;
}
