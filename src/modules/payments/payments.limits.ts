import { AppError, type FieldError, invalidField } from '../../platform/errors.js';
import { formatAmount, sumMinor } from '../../platform/money.js';
import { unitKeyOf } from '../catalog/catalog.stock.js';

/**
 * How large one order may be. Bounded well below what a bigint column or a gateway's JSON
 * number holds (config.ts keeps the amount within the ledger's MAX_AMOUNT_MINOR), so an
 * order that passes is one every later step can book, store and send exactly.
 */
export interface OrderLimits {
  /** The most one order may total, in minor units of its currency. */
  maxOrderAmountMinor: bigint;
  /** The most of one product one order may buy, summed over the lines that name it. */
  maxLineQuantity: number;
}

/** The field code of every limit refused here, on REST and gRPC alike. */
export const AMOUNT_TOO_LARGE = 'amount_too_large';

export interface OrderLine {
  product_id: string;
  variant_id?: string;
  quantity: number;
}

/** The price of what a line buys as it would be charged (by unitKeyOf), when it is known. */
export type PriceOf = (unitKey: string) => { unitPriceMinor: bigint; currency: string } | undefined;

/**
 * Refuses an order above the limits, naming the field at fault as the order body names it:
 * `items.<i>.quantity` for the line whose quantity (added to earlier lines of the same
 * product) goes above `maxLineQuantity`, or whose product at that quantity alone costs more
 * than `maxOrderAmountMinor`; `items` when only the lines together do.
 *
 * Products `priceOf` does not know are skipped: whoever reserves them answers for them (a
 * 404). All known prices must be in one currency; the caller refuses mixed currencies.
 * The arithmetic is bigint, so no quantity or price can overflow here.
 * @throws `validation_failed` (400) with an `amount_too_large` field error
 */
export function checkOrderLimits(lines: readonly OrderLine[], priceOf: PriceOf, limits: OrderLimits): void {
  const quantities = new Map<string, number>();
  const subtotals = new Map<string, bigint>();
  let currency: string | undefined;
  for (const [index, line] of lines.entries()) {
    const key = unitKeyOf(line.product_id, line.variant_id);
    const quantity = (quantities.get(key) ?? 0) + line.quantity;
    quantities.set(key, quantity);
    const field = `items.${index}.quantity`;
    if (quantity > limits.maxLineQuantity) {
      throw invalidField(
        field,
        AMOUNT_TOO_LARGE,
        `an order may buy at most ${limits.maxLineQuantity} of one product`,
      );
    }
    const price = priceOf(key);
    if (!price) continue;
    currency = price.currency;
    const subtotal = price.unitPriceMinor * BigInt(quantity);
    if (subtotal > limits.maxOrderAmountMinor) throw tooLarge(field, limits, currency);
    subtotals.set(key, subtotal);
  }
  const total = sumMinor([...subtotals.values()]);
  if (currency !== undefined && total > limits.maxOrderAmountMinor) throw tooLarge('items', limits, currency);
}

function tooLarge(field: string, limits: OrderLimits, currency: string) {
  return invalidField(
    field,
    AMOUNT_TOO_LARGE,
    `an order may total at most ${formatAmount(limits.maxOrderAmountMinor, currency)} ${currency}`,
  );
}

/**
 * The same error for the one-product form of a checkout (POST /payments, or CreatePayment
 * with `product_id` and `quantity`), whose body has no `items`: its one line is the body
 * itself, and the only thing there that makes its amount too large is `quantity`.
 */
export function forOneProduct(error: unknown): unknown {
  if (!(error instanceof AppError) || !error.details.fields) return error;
  const fields: FieldError[] = error.details.fields.map((each) => ({
    ...each,
    field: each.field === 'items' ? 'quantity' : each.field.replace(/^items\.0\./, ''),
  }));
  return new AppError(error.kind, error.code, error.message, { ...error.details, fields });
}
