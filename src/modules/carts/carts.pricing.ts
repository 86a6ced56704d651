import { isAppError } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';
import type { OrderPricing, PricedOrder } from '../pricing/pricing.service.js';
import type { QuoteLine } from '../pricing/pricing.rules.js';
import {
  type CartLine,
  type LiveProduct,
  lineKeyOf,
  type PublicCart,
  type PublicCartQuote,
} from './carts.rules.js';
import type { CartRow } from './carts.tables.js';

/** The cart's lines as the pricing rules read them: at the prices the buyer accepted. */
export function quoteLinesOf(
  lines: readonly CartLine[],
  products: ReadonlyMap<string, LiveProduct>,
): QuoteLine[] {
  return lines.flatMap((line) => {
    const product = products.get(lineKeyOf(line));
    return product
      ? [
          {
            id: line.product_id,
            sellerId: product.sellerId,
            unitPriceMinor: line.unit_price_minor,
            quantity: line.quantity,
            taxClass: product.taxClass,
          },
        ]
      : [];
  });
}

/** A cart's choices as checkout and the API take them. */
export function choicesOf(cart: CartRow) {
  const options = cart.shipping_choices ?? {};
  return {
    shipping_address_id: cart.shipping_address_id,
    shipping_option_ids: options,
    discount_codes: cart.discount_codes ?? [],
  };
}

type Quoted = Pick<PublicCart, 'quote' | 'quote_error'>;

/**
 * The quote a cart shows once its owner chose an address: what its checkout would charge
 * (shipping, tax, discounts) at the accepted prices. A choice that no longer holds (a
 * seller stopped shipping there, a code expired) is shown as `quote_error`, not a failure
 * of the whole cart.
 */
export async function quoteCart(
  pricing: OrderPricing | undefined,
  cart: CartRow,
  lines: readonly CartLine[],
  products: ReadonlyMap<string, LiveProduct>,
): Promise<Quoted> {
  const quoteLines = quoteLinesOf(lines, products);
  if (!pricing || !cart.owner_id || !cart.shipping_address_id || quoteLines.length === 0)
    return { quote: null, quote_error: null };
  const choices = choicesOf(cart);
  try {
    const priced = await pricing.price({
      buyerId: cart.owner_id,
      currency: lines[0]!.currency,
      lines: quoteLines,
      request: {
        shippingAddressId: cart.shipping_address_id,
        shippingOptionIds: choices.shipping_option_ids,
        discountCodes: choices.discount_codes,
      },
    });
    return { quote: presentQuote(priced), quote_error: null };
  } catch (error) {
    if (isAppError(error) && ['invalid', 'not_found', 'conflict', 'unprocessable'].includes(error.kind))
      return { quote: null, quote_error: { code: error.code, message: error.message } };
    throw error;
  }
}

export function presentQuote(priced: PricedOrder): PublicCartQuote {
  const { quote } = priced;
  const money = (minor: bigint) => formatAmount(minor, quote.currency);
  const taxAdded = quote.shipments.reduce((sum, shipment) => sum + shipment.taxAddedMinor, 0n);
  return {
    currency: quote.currency,
    subtotal: money(quote.subtotalMinor),
    shipping: money(quote.shippingMinor),
    tax: money(quote.taxMinor),
    tax_added: money(taxAdded),
    discount: money(quote.discountMinor),
    total: money(quote.totalMinor),
    shipments: quote.shipments.map((shipment) => ({
      seller_id: shipment.sellerId,
      shipping_option_id: priced.shippingOptionIds[shipment.sellerId] ?? null,
      subtotal: money(shipment.subtotalMinor),
      shipping: money(shipment.shippingMinor),
      tax: money(shipment.taxMinor),
      discount: money(shipment.discountMinor),
      total: money(shipment.totalMinor),
    })),
    tax_lines: quote.taxLines.map((line) => ({
      tax_rate_id: line.rateId,
      rate_bps: line.rateBps,
      inclusive: line.inclusive,
      taxable: money(line.taxableMinor),
      tax: money(line.taxMinor),
    })),
    discounts: priced.discounts.map((discount) => ({
      id: discount.id,
      code: discount.code,
      kind: discount.kind,
      funded_by: discount.fundedBy,
    })),
  };
}
