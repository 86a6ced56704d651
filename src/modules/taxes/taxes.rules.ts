/** Which tax rate applies to a line: pure, shared by the taxes module and pricing. */

export interface TaxRateRule {
  id: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  /** Absent: every region of the country. */
  region: string | null;
  taxClass: string;
  /** Basis points: 1100 is 11%. */
  rateBps: number;
  /** Listed prices already contain the tax; otherwise it is added on top. */
  inclusive: boolean;
  /** Absent: prices in any currency. */
  currency: string | null;
}

export const DEFAULT_TAX_CLASS = 'standard';

const sameRegion = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The rate for a line of `taxClass` priced in `currency` and shipped to the destination:
 * among the rates of the country and class, one naming the destination's region beats one
 * for the whole country, and then one naming the currency beats one for any currency.
 * Undefined when none applies (the line is untaxed). The unique index on (country,
 * region, class, currency) means there is never a tie.
 */
export function selectTaxRate<T extends TaxRateRule>(
  rates: readonly T[],
  line: { country: string; region?: string | null; taxClass: string; currency: string },
): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const rate of rates) {
    if (rate.country !== line.country || rate.taxClass !== line.taxClass) continue;
    if (rate.currency !== null && rate.currency !== line.currency) continue;
    if (rate.region !== null && !(typeof line.region === 'string' && sameRegion(rate.region, line.region)))
      continue;
    const score = (rate.region !== null ? 2 : 0) + (rate.currency !== null ? 1 : 0);
    if (score > bestScore) {
      best = rate;
      bestScore = score;
    }
  }
  return best;
}

/** Half up, as percentOfMinor rounds: the one rounding rule of every tax amount. */
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return (numerator % denominator) * 2n >= denominator ? quotient + 1n : quotient;
}

/**
 * The tax in a line's amount (minor units, not negative). Inclusive: the share of the
 * amount that is tax, `amount × rate / (10000 + rate)`; exclusive: `amount × rate / 10000`
 * added on top. Rounded half up per line (as Medusa and Vendure round per line): each line
 * shows a tax a buyer can check on its own, and a line's tax never depends on the others.
 */
export function lineTax(amountMinor: bigint, rateBps: number, inclusive: boolean): bigint {
  if (amountMinor < 0n) throw new RangeError('a taxed amount must not be negative');
  if (!Number.isSafeInteger(rateBps) || rateBps < 0 || rateBps > 10_000) {
    throw new RangeError(`a tax rate must be 0..10000 bps, got ${rateBps}`);
  }
  const rate = BigInt(rateBps);
  return divideHalfUp(amountMinor * rate, inclusive ? 10_000n + rate : 10_000n);
}
