// What a checkout asks for, and the checks on its lines, shared by a checkout placed alone
// (payments.checkout.ts) and one committed with others (payments.checkout-together.ts).
import { conflict } from '../../platform/errors.js';
import { type StockLine, unitKeyOf } from '../catalog/catalog.stock.js';

export interface CheckoutInput {
  /**
   * `expected_unit_price_minor`: the price the buyer was shown (a cart's); a line charged
   * at any other price refuses the whole checkout.
   */
  items: { product_id: string; variant_id?: string; quantity: number; expected_unit_price_minor?: bigint }[];
  payment_method?: string;
  /**
   * Prices the order with shipping, tax and discounts (a cart's checkout): where it goes,
   * the option per seller, the codes, and the total the buyer was shown.
   */
  pricing?: {
    shipping_address_id: string;
    shipping_option_ids?: Readonly<Record<string, string>>;
    discount_codes?: readonly string[];
    expected_total_minor?: bigint;
  };
}

/**
 * Refuses a line whose price is not the one its buyer was shown. Checked inside the
 * checkout's transaction against the price it charges, so a change after the caller's own
 * check cannot slip through; unlike `price_changed`, no retry can make it pass.
 * @throws `price_changed_since_quote` (409)
 */
export function checkExpectedPrices(
  items: CheckoutInput['items'],
  charged: ReadonlyMap<string, { unitPriceMinor: bigint; name: string }>,
): void {
  for (const item of items) {
    const line = charged.get(unitKeyOf(item.product_id, item.variant_id));
    if (item.expected_unit_price_minor === undefined || !line) continue;
    if (line.unitPriceMinor !== item.expected_unit_price_minor)
      throw conflict('price_changed_since_quote', `the price of ${line.name} changed since it was shown`);
  }
}

export const stockLineOf = (item: CheckoutInput['items'][number]): StockLine => ({
  productId: item.product_id,
  ...(item.variant_id ? { variantId: item.variant_id } : {}),
  quantity: item.quantity,
});
