import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { conflict, invalidField } from '../../platform/errors.js';
import { parseAmount } from '../../platform/money.js';
import type { CheckoutApi, PaymentsApi } from '../payments/payments.api.js';
import type { CheckoutInput } from '../payments/payments.checkout.js';
import { choicesOf } from './carts.pricing.js';
import type { CartRow } from './carts.tables.js';
import type { PublicPayment } from '../payments/payments.rules.js';
import { CartsRepository } from './carts.repository.js';
import { checkoutKeyOf, pricesChangedError } from './carts.rules.js';
import { cartNotFound, type CartsService } from './carts.service.js';

/**
 * A cart's checkout: the payments module's own checkout (the one POST /orders calls, in
 * process or over gRPC), given the prices the buyer accepted so it refuses, in its own
 * transaction, a price that changed after the check here.
 */
export class CartCheckout {
  constructor(
    private readonly db: Kysely<object>,
    private readonly carts: CartsService,
    private readonly checkout: CheckoutApi,
    private readonly payments: Pick<PaymentsApi, 'retrieve'>,
    private readonly ttlMs: number,
  ) {}

  /**
   * Orders the cart's lines and pays for them, exactly once per cart: every checkout of it,
   * concurrent or retried, answers the same payment (the checkout's idempotency key is the
   * cart's). A failed payment leaves the cart open for another try; any other marks it
   * checked out, and a guest cart becomes the buyer's.
   * @throws `cart_not_found` (404), `cart_empty` (409), `cart_prices_changed` (409, naming
   * each line), and whatever the order checkout throws
   */
  async create(
    actor: Actor | undefined,
    id: string,
    input: { payment_method?: string; expected_total?: string },
  ): Promise<PublicPayment> {
    const buyer = authorize(actor, { roles: ['buyer'] });
    const cart = await this.carts.visible(buyer, id);
    if (cart.status === 'checked_out') {
      // The cart is the buyer's now (checked out by them): its payment is theirs to see.
      return this.payments.retrieve(buyer, cart.payment_id!);
    }
    const repo = CartsRepository.of(this.db);
    const lines = await repo.lines(cart.id_hash);
    if (lines.length === 0) throw conflict('cart_empty', 'the cart is empty');
    const attempt = await repo.claimCheckout(cart.id_hash, buyer.userId);
    if (attempt === undefined) {
      const now = await this.carts.visible(buyer, id);
      if (now.status === 'checked_out' && now.owner_id === buyer.userId)
        return this.payments.retrieve(buyer, now.payment_id!);
      throw cartNotFound();
    }
    const products = await this.carts.live(lines, false);
    const stale = pricesChangedError(lines, products);
    if (stale) throw stale;
    const payment = await this.checkout.create(
      buyer,
      {
        items: lines.map((line) => ({
          product_id: line.product_id,
          ...(line.variant_id ? { variant_id: line.variant_id } : {}),
          quantity: line.quantity,
          expected_unit_price_minor: line.unit_price_minor,
        })),
        payment_method: input.payment_method,
        pricing: pricingOf(cart, lines[0]!.currency, input.expected_total),
      },
      checkoutKeyOf(cart.id_hash, attempt),
    );
    if (payment.status === 'failed') await repo.nextAttempt(cart.id_hash, attempt);
    else await repo.markCheckedOut(cart.id_hash, buyer.userId, payment.id, this.ttlMs);
    return payment;
  }
}

/**
 * The checkout's pricing for a cart with an address: the owner's choices and, when given,
 * the total the buyer was shown. Undefined without an address: the items alone, as POST /orders.
 * @throws `validation_failed` (400) for an unreadable `expected_total`
 */
function pricingOf(
  cart: CartRow,
  currency: string,
  expectedTotal: string | undefined,
): CheckoutInput['pricing'] {
  if (!cart.shipping_address_id) return undefined;
  const choices = choicesOf(cart);
  let expected: bigint | undefined;
  if (expectedTotal !== undefined) {
    const parsed = parseAmount(expectedTotal, currency, { allowZero: true });
    if (!parsed.ok)
      throw invalidField(
        'expected_total',
        'invalid_amount',
        `expected_total is not an amount in ${currency}`,
      );
    expected = parsed.minor;
  }
  return {
    shipping_address_id: cart.shipping_address_id,
    shipping_option_ids: choices.shipping_option_ids,
    discount_codes: choices.discount_codes,
    ...(expected === undefined ? {} : { expected_total_minor: expected }),
  };
}
