import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { conflict, invalid, invalidField, notFound } from '../../platform/errors.js';
import type { ObjectStorage } from '../../platform/storage/object-storage.js';
import { decodeCursor, encodeCursor, type ProductSort, searchQuery } from './catalog.cursor.js';
import { CatalogRepository, type ProductChanges, type ProductFilters } from './catalog.repository.js';
import { type PublicProduct, priceToMinor, resolveCurrency, toPublicProduct } from './catalog.rules.js';
import { type ImageKeys, type ImageUpload, ProductImages } from './catalog.images.js';
import type { ProductRow } from './catalog.tables.js';

export type { ImageUpload };

export interface CreateProductInput {
  name: string;
  description?: string;
  price: string;
  currency?: string;
  stock: number;
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

export interface StockLine {
  productId: string;
  quantity: number;
}

export interface ReservedLine extends StockLine {
  sellerId: string;
  name: string;
  unitPriceMinor: bigint;
  currency: string;
}

/** One line per product, quantities added up, sorted by id (the lock order). */
function mergeLines(items: StockLine[]): StockLine[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.productId, (merged.get(item.productId) ?? 0) + item.quantity);
  return [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([productId, quantity]) => ({ productId, quantity }));
}

/** Notified after every committed change, so read caches can drop what they hold. */
export type ProductChangeListener = (productId: string) => Promise<void>;

/** The catalog module's facade: sellers' products, their images and the public listing. */
export class CatalogService {
  private readonly images: ProductImages;

  constructor(
    private readonly repo: CatalogRepository,
    storage: ObjectStorage,
    private readonly options: { defaultCurrency: string; imageMaxBytes: number },
    logger: Logger,
    private readonly onChange: ProductChangeListener = async () => {},
  ) {
    this.images = new ProductImages(storage, options.imageMaxBytes, logger);
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
          image_key: keys?.image_key ?? null,
          thumbnail_key: keys?.thumbnail_key ?? null,
        });
        // The single image is also the first of the product's gallery.
        if (keys?.image_key) await repo.insertCover(inserted.id, { ...keys, image_key: keys.image_key });
        return inserted;
      }),
    );
    await this.onChange(row.id);
    return this.present(row);
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
    return this.present(row, await this.categoryIdsOf(id));
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

  /**
   * The current price of each live product among `productIds` (unknown or deleted ones are
   * left out), read without locking or reserving anything: for a checkout to refuse an
   * order it cannot accept before it takes stock. quoteStock returns the prices charged.
   */
  async prices(
    productIds: readonly string[],
  ): Promise<Map<string, { unitPriceMinor: bigint; currency: string; sellerId: string }>> {
    const rows = await this.repo.livePrices([...new Set(productIds)]);
    return new Map(
      rows.map((row) => [
        row.id,
        { unitPriceMinor: row.price_minor, currency: row.currency, sellerId: row.seller_id },
      ]),
    );
  }

  /**
   * What an order would take, read inside the caller's transaction WITHOUT locking a row:
   * one line per product (quantities merged), in product-id order, with the price to
   * charge. The stock is taken later by takeStock, the checkout's last statement, so the
   * hot product row is locked only for the commit.
   * @throws `product_not_found` (404), `insufficient_stock` (409) when the stock read is short
   */
  async quoteStock(trx: Transaction<object>, items: StockLine[]): Promise<ReservedLine[]> {
    const lines = mergeLines(items);
    const rows = new Map(
      (await CatalogRepository.in(trx).quote(lines.map((line) => line.productId))).map((row) => [
        row.id,
        row,
      ]),
    );
    return lines.map((line) => {
      const row = rows.get(line.productId);
      if (!row) throw notFound('product');
      if (row.stock < line.quantity)
        throw conflict('insufficient_stock', `insufficient stock for ${row.name}`);
      return {
        productId: row.id,
        sellerId: row.seller_id,
        name: row.name,
        quantity: line.quantity,
        unitPriceMinor: row.price_minor,
        currency: row.currency,
      };
    });
  }

  /**
   * Takes the quoted stock inside the caller's transaction, in product-id order so two
   * checkouts can never lock the same rows in opposite orders. Each decrement is
   * conditional in one statement: stock never goes below zero, and a product is never sold
   * at a price other than the one quoted.
   * @throws `product_not_found` (404), `insufficient_stock` (409), `price_changed` (409: the
   * price or currency changed since the quote; the caller's transaction must roll back)
   */
  async takeStock(trx: Transaction<object>, lines: readonly ReservedLine[]): Promise<void> {
    const repo = CatalogRepository.in(trx);
    const sorted = [...lines].sort((a, b) => (a.productId < b.productId ? -1 : 1));
    for (const line of sorted) {
      if (await repo.takeAtPrice(line.productId, line.quantity, line.unitPriceMinor, line.currency)) continue;
      const now = await repo.findLive(line.productId);
      if (!now) throw notFound('product');
      if (now.price_minor !== line.unitPriceMinor || now.currency !== line.currency)
        throw conflict('price_changed', `the price of ${now.name} changed during checkout`);
      throw conflict('insufficient_stock', `insufficient stock for ${now.name}`);
    }
  }

  /** Gives reserved stock back, inside the caller's transaction. */
  async releaseStock(trx: Transaction<object>, items: StockLine[]): Promise<void> {
    const repo = CatalogRepository.in(trx);
    for (const line of mergeLines(items)) await repo.release(line.productId, line.quantity);
  }

  /** To be called after a transaction that changed stock has committed: drops cached reads. */
  async stockChanged(productIds: string[]): Promise<void> {
    for (const id of new Set(productIds)) await this.onChange(id);
  }

  /** A product as it is now, deleted or not, for order history. */
  async snapshot(id: string): Promise<PublicProduct | undefined> {
    const row = await this.repo.findAny(id);
    return row ? this.present(row, await this.categoryIdsOf(id)) : undefined;
  }

  /** A live product, for anyone. @throws `product_not_found` (404) */
  async retrieve(id: string): Promise<PublicProduct> {
    const row = await this.repo.findLive(id);
    if (!row) throw notFound('product');
    return this.present(row, await this.categoryIdsOf(id));
  }

  /** The live products among `ids`, in the order given (for curated lists). */
  async retrieveMany(ids: readonly string[]): Promise<PublicProduct[]> {
    const rows = new Map((await this.repo.findManyLive(ids)).map((row) => [row.id, row]));
    const categories = await this.repo.categoryIdsOf([...rows.keys()]);
    return ids.flatMap((id) => {
      const row = rows.get(id);
      return row ? [this.present(row, categories.get(id))] : [];
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
    const categories = await this.repo.categoryIdsOf(page.map((row) => row.id));
    return {
      items: page.map((row) => this.present(row, categories.get(row.id))),
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
    const changes: ProductChanges = {};
    if (input.name !== undefined) changes.name = input.name.trim();
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

  private async categoryIdsOf(id: string): Promise<string[]> {
    return (await this.repo.categoryIdsOf([id])).get(id) ?? [];
  }

  private present(row: ProductRow, categoryIds: string[] = []): PublicProduct {
    return toPublicProduct(row, (key) => this.images.urlFor(key), categoryIds);
  }
}
