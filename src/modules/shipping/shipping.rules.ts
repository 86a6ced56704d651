/**
 * Which shipping rate applies where: pure rules over plain data, shared by the shipping
 * module (validating what a seller saves) and pricing (quoting an order).
 */

export type ShippingKind = 'flat' | 'free_above' | 'per_region';

export interface RegionRate {
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  /** A region of the country (province, state); absent: the whole country. */
  region: string | null;
  amountMinor: bigint;
}

export interface ShippingRateRule {
  kind: ShippingKind;
  currency: string;
  /** Flat and free-above: the rate. Per region: the rate for places not listed, if any. */
  amountMinor: bigint | null;
  /** Free above: the seller's goods subtotal from which shipping is free. */
  freeAboveMinor: bigint | null;
  regions: readonly RegionRate[];
}

export interface Destination {
  country: string;
  region?: string | null;
}

/** Most region rates one option lists. */
export const MAX_REGION_RATES = 100;

/** Regions compare without case or surrounding spaces: "Jawa Barat" is " jawa barat". */
export const normalizeRegion = (region: string): string => region.trim().toLowerCase();

const sameRegion = (a: string | null | undefined, b: string | null | undefined) =>
  a !== null && a !== undefined && b !== null && b !== undefined && normalizeRegion(a) === normalizeRegion(b);

/**
 * The shipping fee of an option for a destination and the seller's goods subtotal, or
 * undefined when the option does not ship there. Per region, the most specific entry wins
 * (country and region before country alone); a place not listed takes the option's own
 * amount, or is not served when it has none. Free above: the threshold is met at equality.
 */
export function shippingFee(
  option: ShippingRateRule,
  destination: Destination,
  goodsSubtotalMinor: bigint,
): bigint | undefined {
  switch (option.kind) {
    case 'flat':
      return option.amountMinor ?? undefined;
    case 'free_above':
      if (option.freeAboveMinor !== null && goodsSubtotalMinor >= option.freeAboveMinor) return 0n;
      return option.amountMinor ?? undefined;
    case 'per_region': {
      const inCountry = option.regions.filter((rate) => rate.country === destination.country);
      const exact = inCountry.find((rate) => sameRegion(rate.region, destination.region));
      if (exact) return exact.amountMinor;
      const whole = inCountry.find((rate) => rate.region === null);
      if (whole) return whole.amountMinor;
      return option.amountMinor ?? undefined;
    }
  }
}

export interface RuleProblem {
  field: string;
  code: string;
  message: string;
}

/** What is wrong with an option as a seller would save it; empty when nothing is. */
export function checkShippingRule(option: ShippingRateRule): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (option.kind !== 'per_region' && option.amountMinor === null) {
    problems.push({ field: 'amount', code: 'required', message: `a ${option.kind} option needs an amount` });
  }
  if (option.kind === 'free_above' && option.freeAboveMinor === null) {
    problems.push({ field: 'free_above', code: 'required', message: 'a free_above option needs free_above' });
  }
  if (option.kind !== 'free_above' && option.freeAboveMinor !== null) {
    problems.push({
      field: 'free_above',
      code: 'not_allowed',
      message: 'free_above is only for a free_above option',
    });
  }
  if (option.kind !== 'per_region' && option.regions.length > 0) {
    problems.push({
      field: 'regions',
      code: 'not_allowed',
      message: 'regions are only for a per_region option',
    });
  }
  if (option.kind === 'per_region' && option.regions.length === 0) {
    problems.push({ field: 'regions', code: 'required', message: 'a per_region option needs regions' });
  }
  if (option.regions.length > MAX_REGION_RATES) {
    problems.push({ field: 'regions', code: 'too_many', message: `at most ${MAX_REGION_RATES} regions` });
  }
  const seen = new Set<string>();
  option.regions.forEach((rate, index) => {
    const key = `${rate.country}\0${rate.region === null ? '' : normalizeRegion(rate.region)}`;
    if (seen.has(key)) {
      problems.push({
        field: `regions.${index}`,
        code: 'duplicate',
        message: 'each country and region may be listed once',
      });
    }
    seen.add(key);
  });
  return problems;
}
