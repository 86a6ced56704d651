import { parseRupiah } from './sandbox.state.js';

/** What a valid Snap request carries, reduced to what the sandbox keeps. */
export interface SnapRequest {
  orderId: string;
  grossAmount: bigint;
  customerDetails: unknown;
  itemDetails: unknown[] | undefined;
  /** `callbacks.finish`: where the payment page sends the customer back after paying. */
  finishUrl?: string;
}

function finishUrlOf(body: unknown, errors: string[]): string | undefined {
  const callbacks = isObject(body) ? body.callbacks : undefined;
  const finish = isObject(callbacks) ? callbacks.finish : undefined;
  if (finish === undefined) return undefined;
  if (typeof finish === 'string' && finish.length <= 2048 && /^https?:\/\/[^\s]+$/.test(finish))
    return finish;
  errors.push('callbacks.finish must be an http(s) URL');
  return undefined;
}

// Midtrans's documented order_id alphabet and length.
const ORDER_ID = /^[A-Za-z0-9\-_~.]{1,50}$/;
const MAX_ITEMS = 100;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a `POST /snap/v1/transactions` body the way Midtrans does, returning either the
 * request or every error message found (Midtrans lists them all in `error_messages`).
 */
export function validateSnapRequest(
  body: unknown,
): { ok: true; value: SnapRequest } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const details = isObject(body) ? body.transaction_details : undefined;
  if (!isObject(details)) return { ok: false, errors: ['transaction_details is required'] };

  const orderId = details.order_id;
  if (typeof orderId !== 'string' || orderId.length === 0) {
    errors.push('transaction_details.order_id is required');
  } else if (orderId.length > 50) {
    errors.push('transaction_details.order_id too long');
  } else if (!ORDER_ID.test(orderId)) {
    errors.push('transaction_details.order_id contains invalid characters');
  }

  const grossAmount = parseRupiah(details.gross_amount);
  if (details.gross_amount === undefined) errors.push('transaction_details.gross_amount is required');
  else if (grossAmount === null || grossAmount <= 0n) {
    errors.push('transaction_details.gross_amount must be a positive integer');
  }

  const items = isObject(body) ? body.item_details : undefined;
  if (items !== undefined && !Array.isArray(items)) errors.push('item_details must be an array');
  if (Array.isArray(items)) {
    if (items.length > MAX_ITEMS) errors.push(`item_details must have at most ${MAX_ITEMS} items`);
    let sum = 0n;
    let itemsValid = true;
    items.slice(0, MAX_ITEMS).forEach((item, i) => {
      // Midtrans accepts negative prices: that is how a discount line is sent.
      const price = isObject(item) ? parseRupiah(item.price, { allowNegative: true }) : null;
      const quantity = isObject(item) ? parseRupiah(item.quantity) : null;
      if (price === null) errors.push(`item_details[${i}].price must be an integer`);
      if (quantity === null || quantity < 1n)
        errors.push(`item_details[${i}].quantity must be a positive integer`);
      if (!isObject(item) || typeof item.name !== 'string' || item.name.length === 0) {
        errors.push(`item_details[${i}].name is required`);
      }
      if (price === null || quantity === null) itemsValid = false;
      else sum += price * quantity;
    });
    if (itemsValid && grossAmount !== null && sum !== grossAmount) {
      errors.push('transaction_details.gross_amount is not equal to the sum of item_details');
    }
  }

  const finishUrl = finishUrlOf(body, errors);
  if (errors.length > 0 || typeof orderId !== 'string' || grossAmount === null) return { ok: false, errors };
  return {
    ok: true,
    value: {
      orderId,
      grossAmount,
      customerDetails: isObject(body) ? body.customer_details : undefined,
      itemDetails: Array.isArray(items) ? items : undefined,
      ...(finishUrl ? { finishUrl } : {}),
    },
  };
}
