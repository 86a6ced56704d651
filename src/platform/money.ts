/**
 * Money arithmetic on bigint minor units. Amounts only become decimal strings at the API
 * edge (parseAmount in, formatAmount out); everything in between is exact integer maths,
 * so no amount ever passes through a float.
 *
 * Input the client sent is answered with a result value (parseAmount), because a bad
 * amount is an ordinary 400. Everything else throws RangeError: an unsupported currency or
 * an out-of-range rate reaching these functions is a bug in the caller, not bad input.
 */

/**
 * ISO 4217 minor units of the currencies we settle in. A currency missing here is
 * refused everywhere rather than guessed at, since guessing 2 for IDR or JPY would move
 * amounts by a factor of 100. Codes are upper case, as ISO writes them.
 */
export const CURRENCY_DECIMALS: Readonly<Record<string, number>> = Object.freeze({
  IDR: 0,
  KES: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  JPY: 0,
  SGD: 2,
  MYR: 2,
});

/**
 * The largest amount accepted from a client, in minor units. Far beyond any real payment,
 * it keeps a typo or an attack from creating balances that downstream systems (a bigint
 * PostgreSQL column, a provider's API) cannot hold.
 */
export const MAX_AMOUNT_MINOR = 10n ** 15n;

/** Digits of MAX_AMOUNT_MINOR: anything with more significant digits is over it. */
const MAX_AMOUNT_DIGITS = MAX_AMOUNT_MINOR.toString().length;

/** A basis point is 1/10000, so 10000 bps is the whole amount. */
const BASIS_POINTS_WHOLE = 10_000n;

export function isSupportedCurrency(code: string): boolean {
  // hasOwn, not `in`: "toString" or "__proto__" must not count as currencies.
  return Object.hasOwn(CURRENCY_DECIMALS, code);
}

/** Minor-unit digits of `code`; throws RangeError for a currency not in CURRENCY_DECIMALS. */
export function currencyDecimals(code: string): number {
  if (!isSupportedCurrency(code)) throw new RangeError(`unsupported currency: ${JSON.stringify(code)}`);
  return CURRENCY_DECIMALS[code] as number;
}

export type ParseAmountError =
  'not_a_number' | 'too_many_decimals' | 'not_positive' | 'too_large' | 'unsupported_currency';

export type ParseAmountResult = { ok: true; minor: bigint } | { ok: false; error: ParseAmountError };

// Only the canonical form: ASCII digits, optionally a point followed by at least one
// digit. No sign, exponent, grouping, spaces or hex, so every accepted string means one
// thing to every client and to a human reading a log. A leading "-" is matched only to
// answer "not_positive" rather than "not_a_number", which tells the client more.
const AMOUNT_PATTERN = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Reads a client's decimal amount into minor units of `currency`.
 *
 * Refuses, in this order: an unsupported currency; anything but the canonical form above;
 * a negative amount; more fraction digits than the currency has ("1.50" in IDR, "1.005" or
 * even "1.500" in USD, since the count of digits, not their value, is the rule); zero,
 * unless `allowZero`; more than MAX_AMOUNT_MINOR. Leading zeros are accepted ("007" is 7).
 *
 * The work is linear in the text's length; the length itself is bounded by the request
 * body limit at the edge, and no bigint is built from more than MAX_AMOUNT_DIGITS digits.
 */
export function parseAmount(
  text: string,
  currency: string,
  options: { allowZero?: boolean } = {},
): ParseAmountResult {
  if (!isSupportedCurrency(currency)) return { ok: false, error: 'unsupported_currency' };
  const match = AMOUNT_PATTERN.exec(text);
  if (!match) return { ok: false, error: 'not_a_number' };
  const [, sign, whole = '', fraction = ''] = match;
  if (sign) return { ok: false, error: 'not_positive' };
  const decimals = currencyDecimals(currency);
  if (fraction.length > decimals) return { ok: false, error: 'too_many_decimals' };

  const digits = (whole + fraction.padEnd(decimals, '0')).replace(/^0+/, '');
  if (digits.length > MAX_AMOUNT_DIGITS) return { ok: false, error: 'too_large' };
  const minor = digits === '' ? 0n : BigInt(digits);
  if (minor > MAX_AMOUNT_MINOR) return { ok: false, error: 'too_large' };
  if (minor === 0n && !options.allowZero) return { ok: false, error: 'not_positive' };
  return { ok: true, minor };
}

/**
 * The canonical decimal string of `minor` in `currency`, always with exactly the
 * currency's number of fraction digits: USD 1250n → "12.50", USD -5n → "-0.05",
 * IDR 1000000n → "1000000". Every positive result within MAX_AMOUNT_MINOR parses back to
 * the same amount. Throws RangeError for an unsupported currency.
 */
export function formatAmount(minor: bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString();
  if (decimals === 0) return sign + digits;
  const padded = digits.padStart(decimals + 1, '0');
  return `${sign}${padded.slice(0, -decimals)}.${padded.slice(-decimals)}`;
}

/** The largest amount a JSON number carries exactly: above it, two amounts can read alike. */
const MAX_GATEWAY_AMOUNT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * `minor` as the JSON number a payment gateway's API wants (Midtrans's `gross_amount`,
 * item `price`, refund `amount`). The one place money becomes a `number`: every amount
 * sent that way goes through here, so none is ever rounded by a float or sent as zero,
 * negative or NaN. Which unit the gateway expects (whole rupiah for Midtrans) is the
 * caller's business; this only guarantees the number means exactly `minor`.
 *
 * Throws RangeError for anything but a positive integer up to Number.MAX_SAFE_INTEGER:
 * amounts are bounded long before this (MAX_AMOUNT_MINOR, the order maximum), so such a
 * value reaching a gateway call is a bug, and nothing must be sent.
 */
export function gatewayAmount(minor: bigint): number {
  if (typeof minor !== 'bigint')
    throw new RangeError(`a gateway amount must be a bigint, got ${typeof minor}`);
  if (minor <= 0n || minor > MAX_GATEWAY_AMOUNT) {
    throw new RangeError(`a gateway amount must be within 1..${MAX_GATEWAY_AMOUNT}, got ${minor}`);
  }
  return Number(minor);
}

export function sumMinor(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}

/**
 * `basisPoints`/10000 of `amount`, rounded to the nearest minor unit with halves rounded
 * up, i.e. away from zero: 250 bps of 1001 is 25.025 → 25, of 1020 is 25.5 → 26. For a
 * negative amount the result mirrors the positive one (percentOfMinor(-x, b) ===
 * -percentOfMinor(x, b)), so the fee returned on a refund equals the fee taken on the
 * charge. Since bps ≤ 10000, the fee never exceeds the amount in magnitude.
 *
 * Throws RangeError when `basisPoints` is not an integer in [0, 10000].
 */
export function percentOfMinor(amount: bigint, basisPoints: number | bigint): bigint {
  if (typeof basisPoints === 'number' && !Number.isSafeInteger(basisPoints)) {
    throw new RangeError(`basis points must be an integer, got ${basisPoints}`);
  }
  const bps = BigInt(basisPoints);
  if (bps < 0n || bps > BASIS_POINTS_WHOLE) {
    throw new RangeError(`basis points must be within 0..10000, got ${bps}`);
  }
  if (amount < 0n) return -percentOfMinor(-amount, bps);
  const product = amount * bps;
  const quotient = product / BASIS_POINTS_WHOLE;
  const remainder = product % BASIS_POINTS_WHOLE;
  return remainder * 2n >= BASIS_POINTS_WHOLE ? quotient + 1n : quotient;
}

/**
 * Splits `total` into one part per weight, proportional to the weights, summing exactly
 * to `total` (largest remainder method). Each part is the floor of its exact share
 * total·w/Σw; the minor units left over go one each to the parts with the largest
 * remainders, ties to the earlier index, so the result is deterministic and every part
 * lies within the floor and ceiling of its exact share. A zero weight always gets 0.
 *
 * A negative total is split as the mirror of the positive one, so a refund splits across
 * fee and seller exactly as the charge did.
 *
 * Throws RangeError for no weights, a negative weight, or weights that are all zero.
 */
export function allocateProportionally(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) throw new RangeError('cannot allocate across no weights');
  if (weights.some((weight) => weight < 0n)) throw new RangeError('weights must not be negative');
  const weightSum = sumMinor(weights);
  if (weightSum === 0n) throw new RangeError('weights must not all be zero');
  if (total < 0n) return allocateProportionally(-total, weights).map((part) => -part);

  const parts = weights.map((weight) => (total * weight) / weightSum);
  const remainders = weights.map((weight) => (total * weight) % weightSum);
  // Fewer than weights.length units are left, since each remainder is below weightSum.
  let leftover = total - sumMinor(parts);
  const order = weights
    .map((_, index) => index)
    .sort((a, b) => {
      const ra = remainders[a] as bigint;
      const rb = remainders[b] as bigint;
      if (ra !== rb) return ra > rb ? -1 : 1;
      return a - b;
    });
  for (const index of order) {
    if (leftover === 0n) break;
    parts[index] = (parts[index] as bigint) + 1n;
    leftover -= 1n;
  }
  return parts;
}

/** numerator ÷ denominator for non-negative operands, rounded half up. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('divideHalfUp takes n ≥ 0 and d > 0');
  const quotient = numerator / denominator;
  return (numerator % denominator) * 2n >= denominator ? quotient + 1n : quotient;
}
