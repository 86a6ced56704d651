import type { KeyRing } from '../../platform/crypto/keyring.js';
import { type EncryptedColumns, fieldContext } from '../../platform/crypto/reencrypt.js';
import type { AddressesTable } from './addresses.tables.js';

/** Every field that says who or where someone is; the country alone stays plain. */
const SEALED = ['name', 'line1', 'line2', 'city', 'region', 'postal_code', 'phone'] as const;
type SealedField = (typeof SEALED)[number];
export type AddressFields = Partial<Pick<AddressesTable, SealedField>>;

/** The addresses module's encrypted columns, for the rotation job (collected in src/encrypted-columns.ts). */
export const addressesEncryptedColumns: EncryptedColumns[] = [
  { table: 'addresses', key: ['id'], columns: SEALED },
];

/** The columns to write for plaintext fields of address `id`. */
export function sealAddress(ring: KeyRing, id: string, fields: AddressFields): AddressFields {
  const sealed: AddressFields = {};
  for (const field of SEALED) {
    const value = fields[field];
    if (value === undefined) continue;
    sealed[field] = (
      value === null ? null : ring.encrypt(value, fieldContext('addresses', field, id))
    ) as never;
  }
  return sealed;
}

/** A row as read, with its personal fields decrypted. */
export function openAddress<T extends { id: string } & AddressFields>(ring: KeyRing, row: T): T {
  const opened = { ...row };
  for (const field of SEALED) {
    const value = row[field];
    if (value === undefined || value === null) continue;
    opened[field] = ring.open(value, fieldContext('addresses', field, row.id)) as never;
  }
  return opened;
}
