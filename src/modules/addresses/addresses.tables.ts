import type { Generated, Selectable } from 'kysely';

export interface AddressesTable {
  id: string;
  user_id: string;
  // Ciphertexts (the key ring's v1 format) of the personal fields:
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string;
  postal_code: string;
  phone: string | null;
  /** ISO 3166-1 alpha-2, plain: quotes choose shipping and tax by it. */
  country: string;
  is_default: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The tables the addresses module owns. */
export interface AddressesTables {
  addresses: AddressesTable;
}

export type AddressRow = Selectable<AddressesTable>;
