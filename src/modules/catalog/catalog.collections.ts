import { type Actor, authorize } from '../../platform/auth/policy.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { conflict, invalid, invalidField, notFound, unprocessable } from '../../platform/errors.js';
import type { CollectionFields, CollectionsRepository } from './catalog.collections.repository.js';
import type { PublicProduct } from './catalog.rules.js';
import type { CollectionRow } from './catalog.tables.js';

/** Collections are listed whole, so there is a limit to how many there are. */
export const MAX_COLLECTIONS = 200;
export const MAX_COLLECTION_PRODUCTS = 500;

export interface PublicCollection {
  id: string;
  title: string;
  slug: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface CollectionPage extends PublicCollection {
  products: PublicProduct[];
  next_cursor: string | null;
}

export interface CreateCollectionInput {
  title: string;
  slug: string;
  description?: string;
}

const toPublic = (row: CollectionRow): PublicCollection => ({
  id: row.id,
  title: row.title,
  slug: row.slug,
  description: row.description,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

/** A page cursor is the position of the page's last product; opaque to clients all the same. */
function positionOf(cursor: string | undefined): number {
  if (cursor === undefined) return -1;
  const match = /^p(\d{1,3})$/.exec(cursor);
  if (!match) throw invalidField('cursor', 'invalid_cursor', 'cursor is not valid for this listing');
  return Number(match[1]);
}

/** Curated, ordered lists of products, managed by admins and shown to anyone. */
export class CollectionService {
  constructor(
    private readonly repo: CollectionsRepository,
    private readonly products: { retrieveMany(ids: readonly string[]): Promise<PublicProduct[]> },
  ) {}

  /** Every collection, by title. */
  async list(): Promise<PublicCollection[]> {
    return (await this.repo.all(MAX_COLLECTIONS)).map(toPublic);
  }

  /**
   * A collection and one page of its live products, in the order an admin set.
   * @throws `collection_not_found` (404), `validation_failed` (400: a bad cursor)
   */
  async retrieve(id: string, page: { limit: number; cursor?: string }): Promise<CollectionPage> {
    const after = positionOf(page.cursor);
    const row = await this.repo.find(id);
    if (!row) throw notFound('collection');
    const entries = await this.repo.productPage(id, after, page.limit);
    const shown = entries.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      ...toPublic(row),
      products: await this.products.retrieveMany(shown.map((entry) => entry.product_id)),
      next_cursor: entries.length > page.limit && last ? `p${last.position}` : null,
    };
  }

  /** @throws `slug_taken`, `too_many_collections` (409), `role_not_allowed` (403) */
  async create(actor: Actor | undefined, input: CreateCollectionInput): Promise<PublicCollection> {
    authorize(actor, { roles: ['admin'] });
    return toPublic(
      await this.unique(() =>
        this.repo.transaction(async (repo) => {
          await repo.lockForCreate();
          if ((await repo.count()) >= MAX_COLLECTIONS) {
            throw conflict('too_many_collections', `there can be at most ${MAX_COLLECTIONS} collections`);
          }
          return repo.insert({
            title: input.title.trim(),
            slug: input.slug,
            description: input.description?.trim() ?? '',
          });
        }),
      ),
    );
  }

  /** @throws `collection_not_found` (404), `slug_taken` (409), `empty_update` (400) */
  async update(
    actor: Actor | undefined,
    id: string,
    input: Partial<CreateCollectionInput>,
  ): Promise<PublicCollection> {
    authorize(actor, { roles: ['admin'] });
    const changes: CollectionFields = {};
    if (input.title !== undefined) changes.title = input.title.trim();
    if (input.slug !== undefined) changes.slug = input.slug;
    if (input.description !== undefined) changes.description = input.description.trim();
    if (Object.keys(changes).length === 0) throw invalid('empty_update', 'nothing to update');
    const row = await this.unique(() => this.repo.update(id, changes));
    if (!row) throw notFound('collection');
    return toPublic(row);
  }

  /** Deletes the collection (its products stay). @throws `collection_not_found` (404) */
  async remove(actor: Actor | undefined, id: string): Promise<void> {
    authorize(actor, { roles: ['admin'] });
    if (!(await this.repo.delete(id))) throw notFound('collection');
  }

  /**
   * Replaces the collection's products with `productIds`, in that order, in one transaction.
   * @throws `collection_not_found` (404), `duplicate_product` (400), `product_not_found` (422)
   */
  async setProducts(actor: Actor | undefined, id: string, productIds: readonly string[]): Promise<string[]> {
    authorize(actor, { roles: ['admin'] });
    if (productIds.length > MAX_COLLECTION_PRODUCTS) {
      throw invalidField('product_ids', 'too_many', `at most ${MAX_COLLECTION_PRODUCTS} products`);
    }
    if (new Set(productIds).size !== productIds.length) {
      throw invalidField('product_ids', 'duplicate_product', 'a product appears twice');
    }
    await this.repo.transaction(async (repo) => {
      if (!(await repo.lock(id))) throw notFound('collection');
      const live = await repo.liveProducts(productIds);
      const missing = productIds.find((productId) => !live.has(productId));
      if (missing) throw unprocessable('product_not_found', `no live product has the id ${missing}`);
      await repo.setProducts(id, productIds);
      await repo.update(id, {});
    });
    return [...productIds];
  }

  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error, 'collections_slug_key')) {
        throw conflict('slug_taken', 'another collection has this slug');
      }
      throw error;
    }
  }
}
