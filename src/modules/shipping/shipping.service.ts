import { type Actor, authorize } from '../../platform/auth/policy.js';
import { AppError, conflict, type FieldError, notFound } from '../../platform/errors.js';
import { formatAmount, isSupportedCurrency, parseAmount } from '../../platform/money.js';
import { cleanText, countryCode } from '../addresses/addresses.rules.js';
import type { ShippingOptionFields, ShippingRepository } from './shipping.repository.js';
import {
  checkShippingRule,
  type RegionRate,
  type ShippingKind,
  type ShippingRateRule,
} from './shipping.rules.js';
import type { ShippingOptionRow, StoredRegionRate } from './shipping.tables.js';

/** Most shipping options one seller offers. */
export const MAX_SHIPPING_OPTIONS_PER_SELLER = 20;

export interface RegionInput {
  country: string;
  region?: string;
  amount: string;
}

export interface ShippingOptionInput {
  name?: string;
  kind?: ShippingKind;
  currency?: string;
  amount?: string | null;
  free_above?: string | null;
  regions?: RegionInput[];
}

const storedRegions = (row: ShippingOptionRow): StoredRegionRate[] =>
  typeof row.regions === 'string' ? (JSON.parse(row.regions) as StoredRegionRate[]) : row.regions;

/** An option as the pricing rules read it. */
export function ruleOf(row: ShippingOptionRow): ShippingRateRule {
  return {
    kind: row.kind,
    currency: row.currency,
    amountMinor: row.amount_minor,
    freeAboveMinor: row.free_above_minor,
    regions: storedRegions(row).map((rate) => ({
      country: rate.country,
      region: rate.region,
      amountMinor: BigInt(rate.amount_minor),
    })),
  };
}

const present = (row: ShippingOptionRow) => {
  const money = (minor: bigint | null) => (minor === null ? null : formatAmount(minor, row.currency));
  return {
    id: row.id,
    seller_id: row.seller_id,
    name: row.name,
    kind: row.kind,
    currency: row.currency,
    amount: money(row.amount_minor),
    free_above: money(row.free_above_minor),
    regions: ruleOf(row).regions.map((rate) => ({
      country: rate.country,
      region: rate.region,
      amount: formatAmount(rate.amountMinor, row.currency),
    })),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
};

export type ShippingOptionJson = ReturnType<typeof present>;

const sellers = { roles: ['seller'] } as const;

/** The ways a seller ships: flat, free above a subtotal, or by region. */
export class ShippingService {
  constructor(private readonly repo: ShippingRepository) {}

  /** The caller's own options (sellers). */
  async listOwn(actor: Actor | undefined): Promise<ShippingOptionJson[]> {
    const me = authorize(actor, sellers);
    return (await this.repo.listOf(me.userId, MAX_SHIPPING_OPTIONS_PER_SELLER)).map(present);
  }

  /** A seller's options, for anyone choosing how an order ships. */
  async listOfSeller(sellerId: string): Promise<ShippingOptionJson[]> {
    return (await this.repo.listOf(sellerId, MAX_SHIPPING_OPTIONS_PER_SELLER)).map(present);
  }

  /**
   * Adds an option for the calling seller.
   * @throws `validation_failed` (400) naming each bad field, `shipping_option_limit_reached` (409)
   */
  async create(actor: Actor | undefined, input: ShippingOptionInput): Promise<ShippingOptionJson> {
    const me = authorize(actor, sellers);
    const fields = checked(input, undefined);
    const row = await this.repo.createUnderLimit(me.userId, fields, MAX_SHIPPING_OPTIONS_PER_SELLER);
    if (!row) {
      throw conflict(
        'shipping_option_limit_reached',
        `at most ${MAX_SHIPPING_OPTIONS_PER_SELLER} shipping options`,
      );
    }
    return present(row);
  }

  /**
   * Changes one of the caller's options; the result is checked whole, as a new one would be.
   * Changing the kind drops the fields the new kind has no use for. The currency stays:
   * amounts are in its minor units.
   * @throws `validation_failed` (400), `shipping_option_not_found` (404) for another's option
   */
  async update(
    actor: Actor | undefined,
    id: string,
    input: ShippingOptionInput,
  ): Promise<ShippingOptionJson> {
    const me = authorize(actor, sellers);
    const row = await this.repo.update(id, me.userId, (current) => checked(input, current));
    if (!row) throw notFound('shipping_option');
    return present(row);
  }

  /** @throws `shipping_option_not_found` (404), also for another seller's option */
  async delete(actor: Actor | undefined, id: string): Promise<void> {
    const me = authorize(actor, sellers);
    if (!(await this.repo.delete(id, me.userId))) throw notFound('shipping_option');
  }

  /** Every option of a seller as the pricing rules read it, oldest first. */
  async rulesOf(sellerId: string): Promise<{ id: string; rule: ShippingRateRule }[]> {
    const rows = await this.repo.listOf(sellerId, MAX_SHIPPING_OPTIONS_PER_SELLER);
    return rows.map((row) => ({ id: row.id, rule: ruleOf(row) }));
  }

  /** A seller's option as the pricing rules read it, or undefined when the seller has no such option. */
  async rule(sellerId: string, optionId: string): Promise<ShippingRateRule | undefined> {
    const row = await this.repo.find(optionId);
    return row && row.seller_id === sellerId ? ruleOf(row) : undefined;
  }
}

/** The columns for an input laid over the current row (none for a new option), checked whole. */
function checked(input: ShippingOptionInput, current: ShippingOptionRow | undefined): ShippingOptionFields {
  const problems: FieldError[] = [];
  const kind = input.kind ?? current!.kind;
  const currency = (input.currency ?? current!.currency).toUpperCase();
  const kindChanged = current !== undefined && kind !== current.kind;
  const amount = (field: string, text: string, allowZero: boolean): bigint | null => {
    const parsed = parseAmount(text, currency, { allowZero });
    if (parsed.ok) return parsed.minor;
    problems.push({
      field,
      code: parsed.error,
      message: `${field} is not a valid amount in ${currency}: ${parsed.error}`,
    });
    return null;
  };
  if (!isSupportedCurrency(currency)) {
    const message = `currency ${currency} is not supported`;
    throw new AppError('invalid', 'validation_failed', message, {
      fields: [{ field: 'currency', code: 'unsupported_currency', message }],
    });
  }
  const name = cleanText(input.name ?? current!.name);
  if (!name) problems.push({ field: 'name', code: 'required', message: 'name must not be blank' });

  let amountMinor: bigint | null = current?.amount_minor ?? null;
  if (input.amount !== undefined)
    amountMinor = input.amount === null ? null : amount('amount', input.amount, true);
  let freeAboveMinor: bigint | null = kindChanged ? null : (current?.free_above_minor ?? null);
  if (input.free_above !== undefined) {
    freeAboveMinor = input.free_above === null ? null : amount('free_above', input.free_above, false);
  }
  let regions: readonly RegionRate[] = current && !kindChanged ? ruleOf(current).regions : [];
  if (input.regions !== undefined) {
    regions = input.regions.map((rate, index) => {
      const country = countryCode(rate.country);
      if (!country) {
        problems.push({
          field: `regions.${index}.country`,
          code: 'invalid',
          message: 'not an ISO 3166-1 alpha-2 code',
        });
      }
      return {
        country: country ?? rate.country,
        region: cleanText(rate.region) ?? null,
        amountMinor: amount(`regions.${index}.amount`, rate.amount, true) ?? 0n,
      };
    });
  }
  if (problems.length === 0) {
    problems.push(...checkShippingRule({ kind, currency, amountMinor, freeAboveMinor, regions }));
  }
  if (problems.length > 0)
    throw new AppError('invalid', 'validation_failed', problems[0]!.message, { fields: problems });
  return {
    name: name!,
    kind,
    currency,
    amount_minor: amountMinor,
    free_above_minor: freeAboveMinor,
    regions: JSON.stringify(
      regions.map((rate) => ({
        country: rate.country,
        region: rate.region,
        amount_minor: rate.amountMinor.toString(),
      })),
    ),
  };
}
