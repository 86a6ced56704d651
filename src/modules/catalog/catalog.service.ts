import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { type AppError, conflict, invalid, invalidField, notFound } from '../../platform/errors.js';
import type { ObjectStorage } from '../../platform/storage/object-storage.js';
import { decodeCursor, encodeCursor, type ProductSort, searchQuery } from './catalog.cursor.js';
import { CatalogRepository, type ProductChanges, type ProductFilters } from './catalog.repository.js';
import { type PublicProduct, priceToMinor, resolveCurrency, toPublicProduct } from './catalog.rules.js';
import { type ImageKeys, type ImageUpload, ProductImages } from './catalog.images.js';
import { CatalogStock, type ReservedLine, type StockLine, type UnitPrice } from './catalog.stock.js';
import type { ProductRow } from './catalog.tables.js';
import { VariantsRepository } from './catalog.variants.repository.js';
import { type PublicVariant, refuseProductLevelStock, toPublicVariant } from './catalog.variants.rules.js';

export type { ImageUpload, ReservedLine, StockLine };

export interface CreateProductInput {
  name: string;
  description?: string;
  price: string;
  currency?: string;
  stock: number;
  /** The tax rates of this class apply ("standard" by default). */
  tax_class?: string;
}

export type UpdateProductInput = Partial<CreateProductInput>;

export interface ListProductsQuery {
  limit: number;
  cursor?: string;
  seller_id?: string;
  min_price?: string;
  max_price?: string;
  currency?: string;
  in_stock?: boolean;
  q?: string;
  /** A category's id or slug: its products and its descendants'. */
  category?: string;
  sort: ProductSort;
}

export interface ProductPage {
  items: PublicProduct[];
  nextCursor: string | null;
}

/**
 * Notified after every committed change of the products named, so read caches can drop
 * what they hold; several at once when one transaction changed several (a checkout's).
 */
export type ProductChangeListener = (...productIds: string[]) => Promise<void>;

/** The catalog module's facade: sellers' products, their images and the public listing. */
export class CatalogService {
  private readonly images: ProductImages;
  private readonly stock: CatalogStock;

  constructor(
    private readonly repo: CatalogRepository,
    private readonly variants: VariantsRepository,
    storage: ObjectStorage,
    private readonly options: { defaultCurrency: string; imageMaxBytes: number },
    logger: Logger,
    private readonly onChange: ProductChangeListener = async () => {},
  ) {
    this.images = new ProductImages(storage, options.imageMaxBytes, logger);
    this.stock = new CatalogStock(repo, variants);
  }

  /**
   * Lists a product for the calling seller. Every field is checked before the image is
   * stored (re-encoded, with a thumbnail), and a stored image is removed again if the row
   * cannot be written, so a failure leaves neither an orphan image nor a row without its image.
   * @throws `validation_failed` (400) naming the field, `invalid_image` (400), `role_not_allowed` (403)
   */
  async create(
    actor: Actor | undefined,
    input: CreateProductInput,
    image?: ImageUpload,
  ): Promise<PublicProduct> {
    const seller = authorize(actor, { roles: ['seller'] });
    const currency = resolveCurrency(input.currency, this.options.defaultCurrency);
    const priceMinor = priceToMinor(input.price, currency);
    const row = await this.images.withStored(image, (keys) =>
      this.repo.transaction(async (repo) => {
        const inserted = await repo.insert({
          seller_id: seller.userId,
          name: input.name.trim(),
          description: input.description?.trim() ?? '',
          price_minor: priceMinor,
          currency,
          stock: input.stock,
          ...(input.tax_class === undefined ? {} : { tax_class: input.tax_class.trim() }),
          image_key: keys?.image_key ?? null,
          thumbnail_key: keys?.thumbnail_key ?? null,
        });
        // The single image is also the first of the product's gallery.
        if (keys?.image_key) await repo.insertCover(inserted.id, { ...keys, image_key: keys.image_key });
        return inserted;
      }),
    );
    await this.onChange(row.id);
    return (await this.presented([row]))[0]!;
  }

  /**
   * Changes only the fields given (the seed's partial PUT). Only the owning seller or an
   * admin may; anyone else is told the product does not exist. A new image replaces the old
   * one, whose objects (image and thumbnail) are then removed.
   * @throws `product_not_found` (404), `validation_failed` (400), `product_changed` (409)
   */
  async update(
    actor: Actor | undefined,
    id: string,
    input: UpdateProductInput,
    image?: ImageUpload,
  ): Promise<PublicProduct> {
    const current = await this.ownedProduct(actor, id);
    if (Object.keys(input).length === 0 && !image) throw invalid('empty_update', 'nothing to update');
    const changes = this.changesFrom(current, input);
    const row = await this.images.withStored(image, (keys) =>
      this.repo.transaction(async (repo) => {
        const updated = await repo.update(id, current.version, { ...changes, ...keys });
        if (!updated) throw conflict('product_changed', 'the product changed meanwhile; retry');
        // A new single image replaces the gallery's first one.
        if (keys?.image_key)
          await repo.replaceCover(id, current.image_key, { ...keys, image_key: keys.image_key });
        return updated;
      }),
    );
    if (image) await this.images.remove(current);
    await this.onChange(id);
    return (await this.presented([row]))[0]!;
  }

  /**
   * Soft-deletes: the product leaves every read, its past orders keep pointing at it, and
   * its image objects are removed.
   * @throws `product_not_found` (404)
   */
  async remove(actor: Actor | undefined, id: string): Promise<void> {
    await this.ownedProduct(actor, id);
    const deleted = await this.repo.softDelete(id);
    if (!deleted) throw notFound('product');
    const gallery: ImageKeys[] = await this.repo.galleryKeys(id);
    if (!gallery.some((keys) => keys.image_key === deleted.image_key)) gallery.push(deleted);
    for (const keys of gallery) await this.images.remove(keys);
    await this.onChange(id);
  }

  /** The catalog's side of a checkout (catalog.stock.ts). */
  prices(lines: readonly Omit<StockLine, 'quantity'>[]): Promise<Map<string, UnitPrice>> {
    return this.stock.prices(lines);
  }

  quoteStock(
    trx: Transaction<object>,
    items: readonly StockLine[],
    check?: (prices: ReadonlyMap<string, UnitPrice>) => void,
    options?: { skipUnpriced?: boolean },
  ): Promise<ReservedLine[]> {
    return this.stock.quoteStock(trx, items, check, options);
  }

  takeStock(trx: Transaction<object>, lines: readonly ReservedLine[]): Promise<void> {
    return this.stock.takeStock(trx, lines);
  }

  whyNotTaken(error: unknown, lines: readonly ReservedLine[]): Promise<AppError | undefined> {
    return this.stock.whyNotTaken(error, lines);
  }

  releaseStock(trx: Transaction<object>, items: readonly StockLine[]): Promise<void> {
    return this.stock.releaseStock(trx, items);
  }

  /** To be called after a transaction that changed stock has committed: drops cached reads. */
  async stockChanged(productIds: string[]): Promise<void> {
    if (productIds.length > 0) await this.onChange(...new Set(productIds));
  }

  /** A product as it is now, deleted or not, for order history. */
  async snapshot(id: string): Promise<PublicProduct | undefined> {
    const row = await this.repo.findAny(id);
    return row ? (await this.presented([row]))[0] : undefined;
  }

  /** A live product, for anyone. @throws `product_not_found` (404) */
  async retrieve(id: string): Promise<PublicProduct> {
    const row = await this.repo.findLive(id);
    if (!row) throw notFound('product');
    return (await this.presented([row]))[0]!;
  }

  /** The live products among `ids`, in the order given (for curated lists). */
  async retrieveMany(ids: readonly string[]): Promise<PublicProduct[]> {
    const found = await this.presented(await this.repo.findManyLive(ids));
    const byId = new Map(found.map((product) => [product.id, product]));
    return ids.flatMap((id) => {
      const product = byId.get(id);
      return product ? [product] : [];
    });
  }

  /** One page of live products in keyset order. @throws `validation_failed` (400) */
  async list(query: ListProductsQuery): Promise<ProductPage> {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort);
    if (query.cursor !== undefined && !cursor) {
      throw invalidField('cursor', 'invalid_cursor', 'cursor is not valid for this listing');
    }
    const filters = this.filtersFrom(query);
    if (query.category !== undefined) {
      filters.categoryIds = await this.repo.categorySubtree(query.category);
      if (filters.categoryIds.length === 0) throw notFound('category');
    }
    const rows = await this.repo.list(filters, query.sort, cursor, query.limit);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: await this.presented(page),
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor({ sort: query.sort, key: last.cursor_key, id: last.id })
          : null,
    };
  }

  private filtersFrom(query: ListProductsQuery): ProductFilters {
    const filters: ProductFilters = { sellerId: query.seller_id, inStock: query.in_stock };
    // Prices only compare within one currency: price filters and price sorts use the given
    // currency, or the platform's default.
    const pricing = query.min_price !== undefined || query.max_price !== undefined || query.sort !== 'newest';
    if (query.currency !== undefined || pricing) {
      filters.currency = resolveCurrency(query.currency, this.options.defaultCurrency);
    }
    if (query.min_price !== undefined) {
      filters.minPriceMinor = priceToMinor(query.min_price, filters.currency!, 'min_price');
    }
    if (query.max_price !== undefined) {
      filters.maxPriceMinor = priceToMinor(query.max_price, filters.currency!, 'max_price');
    }
    if (query.q !== undefined) {
      filters.search = searchQuery(query.q);
      if (!filters.search) throw invalidField('q', 'invalid_search', 'q must contain a letter or digit');
    }
    return filters;
  }

  private changesFrom(current: ProductRow, input: UpdateProductInput): ProductChanges {
    refuseProductLevelStock(
      current.variant_count,
      (['price', 'stock', 'currency'] as const).filter((field) => input[field] !== undefined),
    );
    const changes: ProductChanges = {};
    if (input.name !== undefined) changes.name = input.name.trim();
    if (input.tax_class !== undefined) changes.tax_class = input.tax_class.trim();
    if (input.description !== undefined) changes.description = input.description.trim();
    if (input.stock !== undefined) changes.stock = input.stock;
    const currency =
      input.currency === undefined ? current.currency : resolveCurrency(input.currency, current.currency);
    if (currency !== current.currency) {
      // The same digits mean another amount in another currency: ask for the price again.
      if (input.price === undefined) {
        throw invalidField('price', 'required', 'price is required when the currency changes');
      }
      changes.currency = currency;
    }
    if (input.price !== undefined) changes.price_minor = priceToMinor(input.price, currency);
    return changes;
  }

  private async ownedProduct(actor: Actor | undefined, id: string): Promise<ProductRow> {
    const me = authorize(actor, { roles: ['seller', 'admin'] });
    const row = await this.repo.findLive(id);
    if (!row) throw notFound('product');
    authorize(me, { object: { kind: 'product', ownerIds: [row.seller_id] } });
    return row;
  }

  /** The products as the API shows them: with their categories and (when they have any) variants. */
  private async presented(rows: readonly ProductRow[]): Promise<PublicProduct[]> {
    const categories = await this.repo.categoryIdsOf(rows.map((row) => row.id));
    const variants = new Map<string, PublicVariant[]>();
    const currencyOf = new Map(rows.map((row) => [row.id, row.currency]));
    const withVariants = rows.filter((row) => row.variant_count > 0).map((row) => row.id);
    for (const variant of await this.variants.of(withVariants)) {
      const list = variants.get(variant.product_id) ?? [];
      list.push(toPublicVariant(variant, currencyOf.get(variant.product_id)!));
      variants.set(variant.product_id, list);
    }
    return rows.map((row) =>
      toPublicProduct(row, (key) => this.images.urlFor(key), categories.get(row.id), variants.get(row.id)),
    );
  }
}
