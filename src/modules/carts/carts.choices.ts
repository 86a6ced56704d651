import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { conflict, forbidden, unprocessable } from '../../platform/errors.js';
import type { OrderPricing } from '../pricing/pricing.service.js';
import { quoteLinesOf } from './carts.pricing.js';
import { CartsRepository } from './carts.repository.js';
import type { PublicCart } from './carts.rules.js';
import type { CartsService } from './carts.service.js';
import type { CartRow } from './carts.tables.js';

/** Discount codes one cart holds. */
export const MAX_CART_CODES = 5;

/**
 * What a cart's owner chooses for its quote: the address, each seller's shipping option,
 * the discount codes. Guest carts have none: an address is a signed-in buyer's.
 */
export class CartChoices {
  constructor(
    private readonly db: Kysely<object>,
    private readonly carts: CartsService,
    private readonly pricing?: OrderPricing,
  ) {}

  /**
   * Quotes the cart for one of its owner's addresses (null: no address, no quote).
   * @throws `cart_not_owned` (403: a guest cart; sign in and sync it first), `address_not_found` (422)
   */
  async setShippingAddress(
    actor: Actor | undefined,
    id: string,
    addressId: string | null,
  ): Promise<PublicCart> {
    await this.choose(actor, id, async (buyerId) => {
      if (addressId !== null && !(await this.pricer().destination(buyerId, addressId)))
        throw unprocessable('address_not_found', 'the shipping address is not one of yours');
      return { shipping_address_id: addressId };
    });
    return this.carts.retrieve(actor, id);
  }

  /**
   * Chooses how sellers ship the cart (replacing earlier choices; a seller left out ships by
   * its cheapest option). @throws `shipping_option_invalid` (422)
   */
  async setShippingOptions(
    actor: Actor | undefined,
    id: string,
    options: readonly { seller_id: string; shipping_option_id: string }[],
  ): Promise<PublicCart> {
    const pricing = this.pricer();
    await this.choose(actor, id, async () => {
      const choices: Record<string, string> = {};
      for (const option of options) {
        const offered = await pricing.shippingOptions(option.seller_id);
        if (!offered.some((each) => each.id === option.shipping_option_id))
          throw unprocessable(
            'shipping_option_invalid',
            `${option.shipping_option_id} is not a shipping option of seller ${option.seller_id}`,
          );
        choices[option.seller_id] = option.shipping_option_id;
      }
      return { shipping_choices: choices };
    });
    return this.carts.retrieve(actor, id);
  }

  /**
   * Adds a discount code, checked against the cart as a checkout would take it.
   * @throws `discount_code_invalid`, `discount_not_applicable` (422), `discount_exhausted`,
   * `discount_limit_reached` (409), `too_many_discount_codes` (422)
   */
  async addDiscountCode(actor: Actor | undefined, id: string, code: string): Promise<PublicCart> {
    const wanted = code.trim().toUpperCase();
    const cart = await this.carts.visible(actor, id);
    const lines = await CartsRepository.of(this.db).lines(cart.id_hash);
    if (lines.length === 0) throw conflict('cart_empty', 'add something to the cart before a discount code');
    const products = await this.carts.live(lines, false);
    const codes = [...new Set([...(cart.discount_codes ?? []), wanted])];
    if (codes.length > MAX_CART_CODES)
      throw unprocessable('too_many_discount_codes', `a cart takes at most ${MAX_CART_CODES} codes`);
    await this.pricer().checkCodes({
      buyerId: actor?.userId ?? cart.owner_id ?? '',
      currency: lines[0]!.currency,
      lines: quoteLinesOf(lines, products),
      codes,
    });
    await this.choose(actor, id, async () => ({ discount_codes: codes }));
    return this.carts.retrieve(actor, id);
  }

  /** Removes a discount code (a code the cart does not hold is not an error). */
  async removeDiscountCode(actor: Actor | undefined, id: string, code: string): Promise<PublicCart> {
    const unwanted = code.trim().toUpperCase();
    await this.choose(actor, id, async (_buyerId, cart) => ({
      discount_codes: (cart.discount_codes ?? []).filter((each) => each !== unwanted),
    }));
    return this.carts.retrieve(actor, id);
  }

  private pricer(): OrderPricing {
    if (!this.pricing) throw unprocessable('pricing_unavailable', 'carts cannot be priced here');
    return this.pricing;
  }

  /** A change of the pricing choices, by the cart's signed-in owner alone. */
  private async choose(
    actor: Actor | undefined,
    id: string,
    decide: (buyerId: string, cart: CartRow) => Promise<Parameters<CartsRepository['setChoices']>[1]>,
  ): Promise<void> {
    const buyer = authorize(actor, { roles: ['buyer'] });
    const current = await this.carts.visible(buyer, id);
    if (current.owner_id !== buyer.userId)
      throw forbidden('cart_not_owned', 'sign in and sync this cart before choosing how it ships');
    // Decided before the cart is locked: it may read other modules.
    const choices = await decide(buyer.userId, current);
    await this.carts.edit(actor, id, (repo, cart) => repo.setChoices(cart.id_hash, choices));
  }
}
