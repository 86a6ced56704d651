import type { Kysely, Transaction } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { conflict, isAppError, notFound, unprocessable } from '../../platform/errors.js';
import { formatAmount, parseAmount } from '../../platform/money.js';
import type { CatalogApi } from '../catalog/catalog.api.js';
import type { OrderPricing } from '../pricing/pricing.service.js';
import { choicesOf, quoteCart } from './carts.pricing.js';
import { CartsRepository } from './carts.repository.js';
import {
  type Addition,
  type CartLimits,
  type CartLine,
  cartTotals,
  checkQuantity,
  hashCartId,
  lineKeyOf,
  type LineRef,
  type LiveProduct,
  mergeLines,
  mixedCurrencies,
  newCartId,
  presentLine,
  type PublicCart,
} from './carts.rules.js';
import type { CartRow } from './carts.tables.js';

export interface CartsOptions extends CartLimits {
  ttlMs: number;
}

export interface LineInput {
  product_id: string;
  variant_id?: string;
  quantity: number;
}

type Product = Awaited<ReturnType<CatalogApi['retrieve']>>;

/**
 * What `ref` buys of `product` as it is now: the product itself, the variant it names, or
 * a product's only variant. Undefined when that is gone or (for a product with several
 * variants) not chosen; with `required` those are errors.
 * @throws `variant_not_found` (404), `variant_required` (422), when `required`
 */
function liveUnit(product: Product, ref: LineRef, required: boolean): LiveProduct | undefined {
  const price = parseAmount(product.price, product.currency, { allowZero: true });
  if (!price.ok) return undefined;
  const base = {
    id: product.id,
    variantId: null,
    sellerId: product.user_id,
    name: product.name,
    unitPriceMinor: price.minor,
    currency: product.currency,
    stock: product.stock,
    taxClass: product.tax_class,
  };
  const variants = product.variants ?? [];
  if (variants.length === 0 && !ref.variant_id) return base;
  const variant = ref.variant_id
    ? variants.find((each) => each.id === ref.variant_id)
    : variants.length === 1
      ? variants[0]
      : undefined;
  if (!variant) {
    if (!required) return undefined;
    if (ref.variant_id) throw notFound('variant');
    throw unprocessable(
      'variant_required',
      `${product.name} comes in several variants: choose one (variant_id)`,
    );
  }
  const variantPrice = parseAmount(variant.price, product.currency, { allowZero: true });
  if (!variantPrice.ok) return undefined;
  return {
    ...base,
    variantId: variant.id,
    name: `${product.name} (${Object.values(variant.options).join(', ')})`,
    unitPriceMinor: variantPrice.minor,
    stock: variant.stock,
  };
}

export const cartNotFound = () => notFound('cart');
const checkedOut = () => conflict('cart_checked_out', 'this cart has been checked out; start a new one');

/**
 * Carts: a guest's (reached by its secret id alone) or a buyer's (theirs alone; anyone
 * else is told it does not exist). Lines keep the price the buyer accepted; reads show the
 * live price beside it. Products are read before a cart's transaction opens, so no cart
 * row stays locked across a catalog call (which may be a gRPC call).
 */
export class CartsService {
  constructor(
    private readonly db: Kysely<object>,
    private readonly products: Pick<CatalogApi, 'retrieve'>,
    private readonly options: CartsOptions,
    private readonly pricing?: OrderPricing,
  ) {}

  /**
   * A guest cart (anonymous caller), or the buyer's one open cart (created if none) with
   * `lines` added and the lines of the guest cart `from_cart` merged in, that cart then
   * closed. One transaction.
   * @throws `product_not_found` (404), `cart_not_found` (404: `from_cart`),
   * `insufficient_stock` (409), `mixed_currencies` (400), `validation_failed` (400)
   */
  async create(
    actor: Actor | undefined,
    input: { lines?: LineInput[]; from_cart?: string },
  ): Promise<PublicCart> {
    const buyer = actor ? authorize(actor, { roles: ['buyer'] }) : undefined;
    const products = await this.live(input.lines ?? [], true);
    const additions = additionsOf(input.lines ?? [], products);
    const id = await this.db.transaction().execute(async (trx) => {
      const repo = CartsRepository.in(trx);
      if (!buyer) {
        if (input.from_cart !== undefined) throw cartNotFound();
        const fresh = newCartId();
        await repo.create(fresh, hashCartId(fresh), null, this.options.ttlMs);
        await this.merge(repo, hashCartId(fresh), additions, products);
        return fresh;
      }
      const cart = await this.openCartOf(repo, buyer.userId);
      if (input.from_cart !== undefined) {
        const guest = await repo.find(hashCartId(input.from_cart), true);
        if (!guest || guest.owner_id !== null || guest.status !== 'open') throw cartNotFound();
        if (guest.id_hash !== cart.id_hash) {
          // The guest's lines keep the prices that buyer saw; only their ids are new.
          additions.push(...(await repo.lines(guest.id_hash)).map(({ id: _id, ...line }) => line));
          await repo.close(guest.id_hash);
        }
      }
      await this.merge(repo, cart.id_hash, additions, products);
      return cart.public_id!;
    });
    return this.retrieve(actor, id);
  }

  /** @throws `cart_not_found` (404) */
  async retrieve(actor: Actor | undefined, id: string): Promise<PublicCart> {
    const cart = await this.visible(actor, id);
    return this.present(id, cart, await CartsRepository.of(this.db).lines(cart.id_hash));
  }

  /**
   * Adds a product (to its line if the cart has one: that line keeps its accepted price).
   * @throws `cart_not_found`, `product_not_found` (404), `insufficient_stock`,
   * `cart_checked_out` (409), `mixed_currencies`, `validation_failed` (400)
   */
  async addLine(actor: Actor | undefined, id: string, input: LineInput): Promise<PublicCart> {
    await this.visible(actor, id);
    const products = await this.live([input], true);
    await this.edit(actor, id, (repo, cart) =>
      this.merge(repo, cart.id_hash, additionsOf([input], products), products),
    );
    return this.retrieve(actor, id);
  }

  /**
   * Sets a line's quantity and re-accepts its product's current price.
   * @throws `cart_not_found`, `cart_line_not_found`, `product_not_found` (404),
   * `insufficient_stock`, `cart_checked_out` (409), `validation_failed` (400)
   */
  async updateLine(
    actor: Actor | undefined,
    id: string,
    lineId: string,
    quantity: number,
  ): Promise<PublicCart> {
    const cart = await this.visible(actor, id);
    const line = (await CartsRepository.of(this.db).lines(cart.id_hash)).find((each) => each.id === lineId);
    if (!line) throw notFound('cart_line');
    const product = (await this.live([line], true)).get(lineKeyOf(line))!;
    checkQuantity(quantity, product, this.options);
    await this.edit(actor, id, async (repo, locked) => {
      const lines = await repo.lines(locked.id_hash);
      if (!lines.some((each) => each.id === lineId)) throw notFound('cart_line');
      if (lines.some((each) => each.id !== lineId && each.currency !== product.currency))
        throw mixedCurrencies();
      await repo.saveLines(locked.id_hash, [
        { ...line, quantity, unit_price_minor: product.unitPriceMinor, currency: product.currency },
      ]);
    });
    return this.retrieve(actor, id);
  }

  /** @throws `cart_not_found`, `cart_line_not_found` (404), `cart_checked_out` (409) */
  async removeLine(actor: Actor | undefined, id: string, lineId: string): Promise<PublicCart> {
    await this.edit(actor, id, async (repo, cart) => {
      if (!(await repo.removeLine(cart.id_hash, lineId))) throw notFound('cart_line');
    });
    return this.retrieve(actor, id);
  }

  /**
   * Accepts every line's current price (lines whose product is gone are left as they are).
   * @throws `cart_not_found` (404), `cart_checked_out` (409)
   */
  async acceptPrices(actor: Actor | undefined, id: string): Promise<PublicCart> {
    const cart = await this.visible(actor, id);
    const lines = await CartsRepository.of(this.db).lines(cart.id_hash);
    const products = await this.live(lines, false);
    await this.edit(actor, id, async (repo, locked) => {
      const now = await repo.lines(locked.id_hash);
      const accepted = now.flatMap((line) => {
        const product = products.get(lineKeyOf(line));
        return product
          ? [{ ...line, unit_price_minor: product.unitPriceMinor, currency: product.currency }]
          : [];
      });
      if (new Set(accepted.map((line) => line.currency)).size > 1) throw mixedCurrencies();
      await repo.saveLines(locked.id_hash, accepted);
    });
    return this.retrieve(actor, id);
  }

  /** The cart as `actor` may see it. @throws `cart_not_found` (404) */
  async visible(actor: Actor | undefined, id: string, lock?: Transaction<object>): Promise<CartRow> {
    const repo = lock ? CartsRepository.in(lock) : CartsRepository.of(this.db);
    const cart = await repo.find(hashCartId(id), lock !== undefined);
    if (!cart || cart.status === 'closed') throw cartNotFound();
    if (cart.owner_id !== null && cart.owner_id !== actor?.userId) throw cartNotFound();
    if (actor) authorize(actor, { roles: ['buyer'] });
    return cart;
  }

  /**
   * What the lines buy as it is now, by lineKeyOf. `required`: an unknown product or
   * variant is a 404 (and a missing choice of variant a 422); otherwise it is left out (a
   * line whose product or variant was deleted).
   */
  async live(refs: readonly LineRef[], required: boolean): Promise<Map<string, LiveProduct>> {
    const products = new Map(
      await Promise.all(
        [...new Set(refs.map((ref) => ref.product_id))].map(async (id) => {
          try {
            return [id, await this.products.retrieve(id)] as const;
          } catch (error) {
            if (!required && isAppError(error) && error.code === 'product_not_found')
              return [id, undefined] as const;
            throw error;
          }
        }),
      ),
    );
    const live = new Map<string, LiveProduct>();
    for (const ref of refs) {
      const product = products.get(ref.product_id);
      const unit = product && liveUnit(product, ref, required);
      if (unit) live.set(lineKeyOf(ref), unit);
    }
    return live;
  }

  /** One change to an open cart, with the cart locked, its expiry pushed back. */
  async edit(
    actor: Actor | undefined,
    id: string,
    change: (repo: CartsRepository, cart: CartRow) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const cart = await this.visible(actor, id, trx);
      if (cart.status !== 'open') throw checkedOut();
      const repo = CartsRepository.in(trx);
      await change(repo, cart);
      await repo.touch(cart.id_hash, this.options.ttlMs);
    });
  }

  /** The buyer's open cart, locked; created when there is none (or it expired). */
  private async openCartOf(repo: CartsRepository, buyerId: string): Promise<CartRow> {
    await repo.dropExpiredOpenOf(buyerId);
    const existing = await repo.findOpenOf(buyerId);
    if (existing) return existing;
    const fresh = newCartId();
    // A concurrent sign-in may have created it first: then this inserts nothing and the
    // read below finds that one.
    await repo.create(fresh, hashCartId(fresh), buyerId, this.options.ttlMs);
    const cart = await repo.findOpenOf(buyerId);
    if (!cart) throw conflict('cart_busy', 'the cart is being changed; try again');
    return cart;
  }

  /** Adds to the locked cart's lines, within the limits and the stock read before. */
  private async merge(
    repo: CartsRepository,
    idHash: string,
    additions: readonly Addition[],
    products: ReadonlyMap<string, LiveProduct>,
  ): Promise<void> {
    if (additions.length === 0) return;
    const merged = mergeLines(await repo.lines(idHash), additions, this.options);
    for (const line of merged) {
      const product = products.get(lineKeyOf(line));
      if (product) checkQuantity(line.quantity, product, this.options);
    }
    await repo.saveLines(idHash, merged);
    await repo.touch(idHash, this.options.ttlMs);
  }

  private async present(id: string, cart: CartRow, lines: CartLine[]): Promise<PublicCart> {
    const products = await this.live(lines, false);
    const shown = lines.map((line) => presentLine(line, products.get(lineKeyOf(line))));
    const totals = cartTotals(lines);
    const choices = choicesOf(cart);
    const quoted = await quoteCart(this.pricing, cart, lines, products);
    return {
      id,
      status: cart.status === 'checked_out' ? 'checked_out' : 'open',
      lines: shown,
      totals: {
        subtotal: totals.currency === null ? null : formatAmount(totals.subtotalMinor, totals.currency),
        currency: totals.currency,
        prices_changed: shown.some((line) => line.price_changed),
      },
      payment_id: cart.payment_id,
      expires_at: cart.expires_at.toISOString(),
      shipping_address_id: choices.shipping_address_id,
      shipping_options: Object.entries(choices.shipping_option_ids).map(
        ([seller_id, shipping_option_id]) => ({
          seller_id,
          shipping_option_id,
        }),
      ),
      discount_codes: choices.discount_codes,
      ...quoted,
    };
  }
}

function additionsOf(lines: readonly LineInput[], products: ReadonlyMap<string, LiveProduct>): Addition[] {
  return lines.map((line) => {
    const product = products.get(lineKeyOf(line));
    if (!product) throw notFound('product');
    return {
      product_id: line.product_id,
      variant_id: product.variantId,
      quantity: line.quantity,
      title: product.name,
      unit_price_minor: product.unitPriceMinor,
      currency: product.currency,
    };
  });
}
