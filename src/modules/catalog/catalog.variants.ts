import { type Actor, authorize } from '../../platform/auth/policy.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { conflict, invalid, notFound } from '../../platform/errors.js';
import { priceToMinor } from './catalog.rules.js';
import type { VariantInput, VariantsRepository } from './catalog.variants.repository.js';
import {
  checkOptionNames,
  MAX_VARIANTS,
  normalizeOptions,
  productTotals,
  type PublicVariant,
  toPublicVariant,
  type VariantRow,
} from './catalog.variants.rules.js';

export interface CreateVariantInput {
  sku: string;
  options: Record<string, string>;
  /** In the product's currency; the product's price when absent. */
  price?: string;
  stock: number;
  position?: number;
}

export type UpdateVariantInput = Partial<CreateVariantInput>;

type LockedProduct = NonNullable<Awaited<ReturnType<VariantsRepository['product']>>>;

/** A unique index refused the write: a SKU taken, or a second variant with the same options. */
function clash(error: unknown): unknown {
  if (isUniqueViolation(error, 'product_variants_sku_key'))
    return conflict('sku_taken', 'another variant on sale already has this SKU');
  if (isUniqueViolation(error, 'product_variants_options_key'))
    return conflict('variant_exists', 'the product already has a variant with these options');
  return error;
}

/**
 * A product's variants (size, colour …), each with its own SKU, price and stock. Every
 * change runs with the product row locked and rewrites the product's copy of them (count,
 * total stock, lowest price) in the same transaction, so a checkout, which takes stock from
 * the product row and then the variant's, always finds the two in step.
 */
export class ProductVariants {
  constructor(
    private readonly repo: VariantsRepository,
    private readonly productChanged: (productId: string) => Promise<void>,
  ) {}

  /** The live product's variants, in order (anyone). @throws `product_not_found` (404) */
  async list(productId: string): Promise<PublicVariant[]> {
    const product = await this.repo.product(productId);
    if (!product) throw notFound('product');
    return (await this.repo.of([productId])).map((row) => toPublicVariant(row, product.currency));
  }

  /**
   * Adds a variant. The first one turns the product's own stock into its variants' total.
   * @throws `product_not_found` (404), `validation_failed` (400), `variant_options_mismatch`
   * (422), `too_many_variants`, `sku_taken`, `variant_exists` (409)
   */
  async create(
    actor: Actor | undefined,
    productId: string,
    input: CreateVariantInput,
  ): Promise<PublicVariant> {
    await this.owned(actor, productId);
    const options = normalizeOptions(input.options);
    const row = await this.change(productId, async (repo, product, siblings) => {
      if (siblings.length >= MAX_VARIANTS)
        throw conflict('too_many_variants', `a product has at most ${MAX_VARIANTS} variants`);
      checkOptionNames(options, siblings);
      const price = input.price === undefined ? undefined : priceToMinor(input.price, product.currency);
      const inserted = await repo.insert(productId, {
        sku: input.sku,
        options,
        price_minor: price ?? product.price_minor,
        stock: input.stock,
        position: input.position ?? siblings.length,
      });
      return { row: inserted, after: [...siblings, inserted] };
    });
    return toPublicVariant(row.row, row.currency);
  }

  /**
   * Changes the fields given.
   * @throws `product_not_found`, `variant_not_found` (404), `validation_failed` (400),
   * `variant_options_mismatch` (422), `sku_taken`, `variant_exists`, `variant_changed` (409)
   */
  async update(
    actor: Actor | undefined,
    productId: string,
    variantId: string,
    input: UpdateVariantInput,
  ): Promise<PublicVariant> {
    await this.owned(actor, productId);
    if (Object.keys(input).length === 0) throw invalid('empty_update', 'nothing to update');
    const options = input.options === undefined ? undefined : normalizeOptions(input.options);
    const row = await this.change(productId, async (repo, product, siblings) => {
      const current = siblings.find((each) => each.id === variantId);
      if (!current) throw notFound('variant');
      const others = siblings.filter((each) => each.id !== variantId);
      if (options) checkOptionNames(options, others);
      const changes: Partial<VariantInput> = {
        ...(input.sku === undefined ? {} : { sku: input.sku }),
        ...(options ? { options } : {}),
        ...(input.price === undefined ? {} : { price_minor: priceToMinor(input.price, product.currency) }),
        ...(input.stock === undefined ? {} : { stock: input.stock }),
        ...(input.position === undefined ? {} : { position: input.position }),
      };
      const updated = await repo.update(variantId, current.version, changes);
      if (!updated) throw conflict('variant_changed', 'the variant changed meanwhile; retry');
      return { row: updated, after: [...others, updated] };
    });
    return toPublicVariant(row.row, row.currency);
  }

  /**
   * Takes a variant off sale; past orders keep their copy of it. Without variants left the
   * product sells its own stock again, which starts at 0.
   * @throws `product_not_found`, `variant_not_found` (404)
   */
  async remove(actor: Actor | undefined, productId: string, variantId: string): Promise<void> {
    await this.owned(actor, productId);
    await this.change(productId, async (repo, _product, siblings) => {
      const current = siblings.find((each) => each.id === variantId);
      if (!current) throw notFound('variant');
      await repo.softDelete(variantId);
      return { row: current, after: siblings.filter((each) => each.id !== variantId) };
    });
  }

  /** One change with the product row locked, its totals rewritten from `after`. */
  private async change(
    productId: string,
    work: (
      repo: VariantsRepository,
      product: LockedProduct,
      siblings: VariantRow[],
    ) => Promise<{ row: VariantRow; after: VariantRow[] }>,
  ): Promise<{ row: VariantRow; currency: string }> {
    try {
      const result = await this.repo.transaction(async (repo) => {
        const product = await repo.product(productId, true);
        if (!product) throw notFound('product');
        const { row, after } = await work(repo, product, await repo.of([productId]));
        const totals = productTotals(after);
        await repo.setTotals(productId, {
          variantCount: after.length,
          stock: totals?.stock ?? 0,
          priceMinor: totals?.priceMinor,
        });
        return { row, currency: product.currency };
      });
      await this.productChanged(productId);
      return result;
    } catch (error) {
      throw clash(error);
    }
  }

  /** Only the product's seller or an admin; anyone else is told it does not exist. */
  private async owned(actor: Actor | undefined, productId: string): Promise<void> {
    const me = authorize(actor, { roles: ['seller', 'admin'] });
    const product = await this.repo.product(productId);
    if (!product) throw notFound('product');
    authorize(me, { object: { kind: 'product', ownerIds: [product.seller_id] } });
  }
}
