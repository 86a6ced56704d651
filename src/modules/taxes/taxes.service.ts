import { type Actor, authorize } from '../../platform/auth/policy.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { AppError, conflict, type FieldError, notFound } from '../../platform/errors.js';
import { isSupportedCurrency } from '../../platform/money.js';
import { cleanText, countryCode } from '../addresses/addresses.rules.js';
import type { TaxesRepository, TaxRateFields } from './taxes.repository.js';
import type { TaxRateRule } from './taxes.rules.js';
import type { TaxRateRow } from './taxes.tables.js';

/** Most rates the platform keeps: far above the places it sells to, and a bound on every quote. */
export const MAX_TAX_RATES = 500;
/** Most rates one country's quote considers. */
const MAX_RATES_PER_COUNTRY = 100;

export interface TaxRateInput {
  country?: string;
  region?: string | null;
  tax_class?: string;
  rate_bps?: number;
  inclusive?: boolean;
  currency?: string | null;
}

const present = (row: TaxRateRow) => ({
  id: row.id,
  country: row.country,
  region: row.region,
  tax_class: row.tax_class,
  rate_bps: row.rate_bps,
  inclusive: row.inclusive,
  currency: row.currency,
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

export type TaxRateJson = ReturnType<typeof present>;

const admins = { roles: ['admin'] } as const;

/** Tax rates by country, region, tax class and currency: kept by admins, read by quotes. */
export class TaxesService {
  constructor(private readonly repo: TaxesRepository) {}

  /** Every rate (at most MAX_TAX_RATES). Admins only. */
  async list(actor: Actor | undefined): Promise<TaxRateJson[]> {
    authorize(actor, admins);
    return (await this.repo.list(MAX_TAX_RATES)).map(present);
  }

  /**
   * Adds a rate. Admins only.
   * @throws `validation_failed` (400), `tax_rate_exists` (409) for the same country, region,
   *   class and currency, `tax_rate_limit_reached` (409)
   */
  async create(actor: Actor | undefined, input: TaxRateInput): Promise<TaxRateJson> {
    authorize(actor, admins);
    const fields = checked(input) as TaxRateFields;
    const row = await this.unique(() => this.repo.createUnderLimit(fields, MAX_TAX_RATES));
    if (!row) throw conflict('tax_rate_limit_reached', `at most ${MAX_TAX_RATES} tax rates`);
    return present(row);
  }

  /** Changes a rate; `null` clears the region or currency. Same errors as create, and `tax_rate_not_found`. */
  async update(actor: Actor | undefined, id: string, input: TaxRateInput): Promise<TaxRateJson> {
    authorize(actor, admins);
    const row = await this.unique(() => this.repo.update(id, checked(input)));
    if (!row) throw notFound('tax_rate');
    return present(row);
  }

  /** @throws `tax_rate_not_found` (404) */
  async delete(actor: Actor | undefined, id: string): Promise<void> {
    authorize(actor, admins);
    if (!(await this.repo.delete(id))) throw notFound('tax_rate');
  }

  /** The rates a quote for a destination in `country` chooses from (see selectTaxRate). */
  async ratesFor(country: string): Promise<TaxRateRule[]> {
    const rows = await this.repo.ofCountry(country, MAX_RATES_PER_COUNTRY);
    return rows.map((row) => ({
      id: row.id,
      country: row.country,
      region: row.region,
      taxClass: row.tax_class,
      rateBps: row.rate_bps,
      inclusive: row.inclusive,
      currency: row.currency,
    }));
  }

  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict('tax_rate_exists', 'a rate for this country, region, class and currency exists');
      }
      throw error;
    }
  }
}

/** The columns to write for an input, with every field checked; throws one 400 naming them all. */
function checked(input: TaxRateInput): Partial<TaxRateFields> {
  const fields: Partial<TaxRateFields> = {};
  const problems: FieldError[] = [];
  if (input.country !== undefined) {
    const code = countryCode(input.country);
    if (code) fields.country = code;
    else
      problems.push({
        field: 'country',
        code: 'invalid',
        message: 'country must be an ISO 3166-1 alpha-2 code',
      });
  }
  if (input.region !== undefined) fields.region = cleanText(input.region) ?? null;
  if (input.tax_class !== undefined) {
    const taxClass = cleanText(input.tax_class);
    if (taxClass) fields.tax_class = taxClass;
    else problems.push({ field: 'tax_class', code: 'invalid', message: 'tax_class must not be blank' });
  }
  if (input.rate_bps !== undefined) fields.rate_bps = input.rate_bps;
  if (input.inclusive !== undefined) fields.inclusive = input.inclusive;
  if (input.currency !== undefined) {
    const currency = input.currency?.toUpperCase() ?? null;
    if (currency === null || isSupportedCurrency(currency)) fields.currency = currency;
    else
      problems.push({
        field: 'currency',
        code: 'unsupported_currency',
        message: 'currency is not supported',
      });
  }
  if (problems.length > 0)
    throw new AppError('invalid', 'validation_failed', problems[0]!.message, { fields: problems });
  return fields;
}
