import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { AppError, conflict, type FieldError, notFound } from '../../platform/errors.js';
import { type AddressFields, openAddress, sealAddress } from './addresses.encryption.js';
import type { AddressChange, AddressesRepository } from './addresses.repository.js';
import { cleanText, countryCode, MAX_ADDRESSES_PER_USER } from './addresses.rules.js';
import type { AddressRow } from './addresses.tables.js';

export interface AddressInput {
  name?: string;
  line1?: string;
  line2?: string | null;
  city?: string;
  region?: string;
  postal_code?: string;
  country?: string;
  phone?: string | null;
  is_default?: boolean;
}

const REQUIRED = ['name', 'line1', 'city', 'region', 'postal_code'] as const;
const OPTIONAL = ['line2', 'phone'] as const;
// Digits with the separators people write between them; a leading + for the country code.
const PHONE = /^\+?[0-9][0-9 ().-]{3,30}$/;

const buyers = { roles: ['buyer'] } as const;

/**
 * A buyer's address book: at most MAX_ADDRESSES_PER_USER addresses, one of them the
 * default, every personal field encrypted at rest. Only its owner reaches an address;
 * anyone else is told it does not exist.
 */
export class AddressesService {
  constructor(
    private readonly repo: AddressesRepository,
    private readonly ring: KeyRing,
  ) {}

  async list(actor: Actor | undefined) {
    const me = authorize(actor, buyers);
    return this.exportOf(me.userId);
  }

  /** @throws `validation_failed` (400) naming each bad field, `address_limit_reached` (409) */
  async create(actor: Actor | undefined, input: AddressInput) {
    const me = authorize(actor, buyers);
    const { fields, country } = checked(input, true);
    const id = randomUUID();
    const row = await this.repo.createUnderLimit(
      {
        id,
        user_id: me.userId,
        country: country!,
        ...(sealAddress(this.ring, id, fields) as Required<AddressFields>),
      },
      input.is_default ?? false,
      MAX_ADDRESSES_PER_USER,
    );
    if (!row) throw conflict('address_limit_reached', `at most ${MAX_ADDRESSES_PER_USER} addresses`);
    return this.present(row);
  }

  /**
   * Changes one of the caller's addresses; null clears line2 or phone; `is_default: true`
   * makes it the default (the previous one stops being it).
   * @throws `validation_failed` (400), `address_not_found` (404)
   */
  async update(actor: Actor | undefined, id: string, input: AddressInput) {
    const me = authorize(actor, buyers);
    const { fields, country } = checked(input, false);
    const change: AddressChange = { ...sealAddress(this.ring, id, fields), ...(country ? { country } : {}) };
    const row = await this.repo.update(id, me.userId, change, input.is_default);
    if (!row) throw notFound('address');
    return this.present(row);
  }

  /** @throws `address_not_found` (404) */
  async delete(actor: Actor | undefined, id: string): Promise<void> {
    const me = authorize(actor, buyers);
    if (!(await this.repo.delete(id, me.userId))) throw notFound('address');
  }

  /** One of a user's addresses, decrypted, for a quote or checkout; undefined when not theirs. */
  async retrieveOf(userId: string, id: string) {
    const row = await this.repo.find(id, userId);
    return row ? this.present(row) : undefined;
  }

  /** Every address of the user, decrypted: the list, and a privacy export's section. */
  async exportOf(userId: string) {
    return (await this.repo.listOf(userId, MAX_ADDRESSES_PER_USER)).map((row) => this.present(row));
  }

  /** Erasure: the user's addresses, in the caller's transaction. */
  eraseUser(trx: Transaction<object>, userId: string): Promise<void> {
    return this.repo.eraseUser(trx, userId);
  }

  private present(row: AddressRow) {
    const open = openAddress(this.ring, row);
    return {
      id: open.id,
      name: open.name,
      line1: open.line1,
      line2: open.line2,
      city: open.city,
      region: open.region,
      postal_code: open.postal_code,
      country: open.country,
      phone: open.phone,
      is_default: open.is_default,
      created_at: new Date(open.created_at).toISOString(),
      updated_at: new Date(open.updated_at).toISOString(),
    };
  }
}

export type AddressJson = Awaited<ReturnType<AddressesService['create']>>;

/** Trimmed plaintext fields and the country code of an input; throws one 400 naming every bad field. */
function checked(input: AddressInput, creating: boolean): { fields: AddressFields; country?: string } {
  const fields: AddressFields = {};
  const problems: FieldError[] = [];
  for (const field of REQUIRED) {
    if (input[field] === undefined && !creating) continue;
    const value = cleanText(input[field]);
    if (value) fields[field] = value;
    else problems.push({ field, code: 'required', message: `${field} must not be blank` });
  }
  for (const field of OPTIONAL) {
    if (input[field] === undefined) continue;
    fields[field] = cleanText(input[field]) ?? null;
  }
  if (fields.phone && !PHONE.test(fields.phone)) {
    problems.push({
      field: 'phone',
      code: 'invalid',
      message: 'phone must be digits, optionally with + ( ) - . and spaces',
    });
  }
  let country: string | undefined;
  if (input.country !== undefined || creating) {
    country = countryCode(input.country ?? '');
    if (!country)
      problems.push({
        field: 'country',
        code: 'invalid',
        message: 'country must be an ISO 3166-1 alpha-2 code',
      });
  }
  if (problems.length > 0)
    throw new AppError('invalid', 'validation_failed', problems[0]!.message, { fields: problems });
  return { fields, ...(country ? { country } : {}) };
}
