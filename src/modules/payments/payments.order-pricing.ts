import { conflict, unprocessable } from '../../platform/errors.js';
import { allocateProportionally, formatAmount, sumMinor } from '../../platform/money.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import { type UnitPrice, unitKeyOf } from '../catalog/catalog.stock.js';
import type { OrderPricing, PreparedPricing, PricedOrder } from '../pricing/pricing.service.js';
import type { CheckoutInput } from './payments.checkout.js';
import type { ReceiptPricing } from './payments.events.js';
import { type LedgerLine, type PricedLine, priceLines } from './payments.rules.js';
import type { OrderItemRow, OrderShipmentsTable, OrderTaxLinesTable } from './payments.tables.js';

/**
 * A priced order (a cart's checkout) in the payments module's rows: a shipment per seller
 * with who gets what, the tax by rate, and each item's part of its shipment's fee.
 */

type ShipmentAmounts = Pick<
  OrderShipmentsTable,
  'goods_minor' | 'shipping_minor' | 'tax_minor' | 'tax_included_minor' | 'discount_minor'
>;

/**
 * What a payment's events add for a receipt: the order's shipping, tax and discounts, from
 * its shipments; nothing for an order priced by its items alone.
 */
export function receiptPricingOf(
  shipments: readonly ShipmentAmounts[],
  currency: string,
): { pricing?: ReceiptPricing } {
  if (shipments.length === 0) return {};
  const total = (pick: (shipment: ShipmentAmounts) => bigint) =>
    formatAmount(sumMinor(shipments.map(pick)), currency);
  return {
    pricing: {
      subtotal: total((shipment) => shipment.goods_minor),
      shipping: total((shipment) => shipment.shipping_minor),
      tax: total((shipment) => shipment.tax_minor),
      tax_added: total((shipment) => shipment.tax_minor - shipment.tax_included_minor),
      discount: total((shipment) => shipment.discount_minor),
    },
  };
}

/** The order's rows for its shipments and tax lines. */
export function pricingRowsOf(
  orderId: string,
  priced: PricedOrder,
): { shipments: OrderShipmentsTable[]; taxLines: OrderTaxLinesTable[] } {
  return {
    shipments: priced.quote.shipments.map((shipment) => ({
      order_id: orderId,
      seller_id: shipment.sellerId,
      shipping_option_id: priced.shippingOptionIds[shipment.sellerId] ?? null,
      goods_minor: shipment.subtotalMinor,
      shipping_minor: shipment.shippingMinor,
      tax_minor: shipment.taxMinor,
      tax_included_minor: shipment.taxIncludedMinor,
      discount_minor: shipment.discountMinor,
      total_minor: shipment.totalMinor,
      seller_share_minor: shipment.split.sellerShareMinor,
      fee_minor: shipment.split.platformFeeMinor,
      tax_liability_minor: shipment.split.taxLiabilityMinor,
      platform_discount_minor: shipment.split.platformDiscountMinor,
    })),
    taxLines: priced.quote.taxLines.map((line) => ({
      order_id: orderId,
      tax_rate_id: line.rateId,
      rate_bps: line.rateBps,
      inclusive: line.inclusive,
      taxable_minor: line.taxableMinor,
      tax_minor: line.taxMinor,
    })),
  };
}

/**
 * The lines with each one's part of its shipment's fee (in proportion to its amount), so
 * the sales reports that sum item fees agree with what the ledger took.
 */
export function withShipmentFees(lines: readonly PricedLine[], priced: PricedOrder): PricedLine[] {
  const result = lines.map((line) => ({ ...line }));
  for (const shipment of priced.quote.shipments) {
    const indexes = result.flatMap((line, index) => (line.sellerId === shipment.sellerId ? [index] : []));
    const weights = indexes.map((index) => result[index]!.subtotalMinor);
    const fee = shipment.split.platformFeeMinor;
    const shares = weights.some((weight) => weight > 0n)
      ? allocateProportionally(fee, weights)
      : weights.map(() => 0n);
    indexes.forEach((index, at) => (result[index]!.feeMinor = shares[at]!));
  }
  return result;
}

/**
 * What the ledger moves for an order: its shipments when it was priced, else its items
 * (the buyer pays each item's subtotal, the platform keeps its fee).
 */
export function ledgerLinesOf(
  items: readonly OrderItemRow[],
  shipments: readonly Pick<
    OrderShipmentsTable,
    'seller_id' | 'total_minor' | 'fee_minor' | 'tax_liability_minor' | 'platform_discount_minor'
  >[],
): LedgerLine[] {
  if (shipments.length === 0) return [...items];
  return shipments.map((shipment) => ({
    seller_id: shipment.seller_id,
    subtotal_minor: shipment.total_minor,
    fee_minor: shipment.fee_minor,
    tax_minor: shipment.tax_liability_minor,
    platform_discount_minor: shipment.platform_discount_minor,
  }));
}

/** A checkout's order as priced inside its transaction. */
export interface Attempt {
  lines: PricedLine[];
  currency: string;
  totalMinor: bigint;
  priced?: PricedOrder;
  shippingAddressId?: string;
}

/** What the ledger moves for an attempt: its shipments when priced, else its lines. */
export const ledgerLinesOfAttempt = (attempt: Attempt): LedgerLine[] =>
  attempt.priced
    ? ledgerLinesOf([], pricingRowsOf('', attempt.priced).shipments)
    : attempt.lines.map((line) => ({
        seller_id: line.sellerId,
        subtotal_minor: line.subtotalMinor,
        fee_minor: line.feeMinor,
      }));

/**
 * Reads, before the checkout's transaction, what its quote needs (PreparedPricing); the
 * order's lines at today's prices stand in for the charged ones (a discount's minimum).
 * Undefined for an order priced by its items alone.
 * @throws `pricing_unavailable` (422) and the pricing's errors
 */
export async function preparePricing(
  pricing: OrderPricing | undefined,
  input: CheckoutInput,
  buyerId: string,
  prices: ReadonlyMap<string, UnitPrice>,
): Promise<PreparedPricing | undefined> {
  if (!input.pricing) return undefined;
  if (!pricing) throw unprocessable('pricing_unavailable', 'orders cannot be priced with shipping here');
  const lines = input.items.flatMap((item) => {
    const price = prices.get(unitKeyOf(item.product_id, item.variant_id));
    return price
      ? [
          {
            id: item.product_id,
            sellerId: price.sellerId,
            unitPriceMinor: price.unitPriceMinor,
            quantity: item.quantity,
            taxClass: price.taxClass,
            currency: price.currency,
          },
        ]
      : [];
  });
  if (lines.length === 0) return undefined;
  const currency = lines[0]!.currency;
  return pricing.prepare({
    buyerId,
    currency,
    lines,
    request: {
      shippingAddressId: input.pricing.shipping_address_id,
      shippingOptionIds: input.pricing.shipping_option_ids ?? {},
      discountCodes: input.pricing.discount_codes ?? [],
    },
  });
}

/**
 * The lines at the prices charged and, for a priced order, its quote (pure, inside the
 * transaction): refused when there is nothing to pay, or when the total is not the one the
 * buyer was shown.
 * @throws `nothing_to_pay` (422), `order_total_changed` (409), and the quote's errors
 */
export function priceAttempt(
  pricing: OrderPricing | undefined,
  prepared: PreparedPricing | undefined,
  feeBps: number,
  context: {
    input: CheckoutInput;
    reserved: Awaited<ReturnType<CatalogService['quoteStock']>>;
    currency: string;
  },
): Attempt {
  const { input, reserved, currency } = context;
  const lines = priceLines(reserved, feeBps);
  const goods = lines.reduce((sum, line) => sum + line.subtotalMinor, 0n);
  if (!input.pricing || !prepared || !pricing) return { lines, currency, totalMinor: goods };
  if (prepared.currency !== currency)
    throw unprocessable('mixed_currencies', 'the prices changed currency; try again');
  const priced = pricing.quoteWith(
    prepared,
    reserved.map((line) => ({
      id: line.productId,
      sellerId: line.sellerId,
      unitPriceMinor: line.unitPriceMinor,
      quantity: line.quantity,
      taxClass: line.taxClass,
    })),
  );
  const total = priced.quote.totalMinor;
  if (total <= 0n) throw unprocessable('nothing_to_pay', 'the discounts leave nothing to pay');
  const expected = input.pricing.expected_total_minor;
  if (expected !== undefined && total !== expected) {
    throw conflict(
      'order_total_changed',
      'the order total changed since it was shown; review it and try again',
    );
  }
  return {
    lines: withShipmentFees(lines, priced),
    currency,
    totalMinor: total,
    priced,
    shippingAddressId: input.pricing.shipping_address_id,
  };
}
