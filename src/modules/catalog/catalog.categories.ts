import type { Actor } from '../../platform/auth/policy.js';
import { authorize } from '../../platform/auth/policy.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { conflict, invalidField, notFound, unprocessable } from '../../platform/errors.js';
import type { CategoriesRepository, CategoryFields } from './catalog.categories.repository.js';
import {
  buildTree,
  type CategoryNode,
  type CategoryTree,
  checkPlacement,
  MAX_CATEGORY_DEPTH,
  slugify,
} from './catalog.categories.rules.js';
import type { CategoryRow } from './catalog.tables.js';

/** The whole tree is read and shown at once, so it has a size limit. */
export const MAX_CATEGORIES = 1000;
export const MAX_CATEGORIES_PER_PRODUCT = 10;

export interface CreateCategoryInput {
  name: string;
  slug?: string;
  parent_id?: string | null;
  position?: number;
}

export type UpdateCategoryInput = Partial<CreateCategoryInput>;

export interface ProductCategories {
  product_id: string;
  category_ids: string[];
}

const toNode = (row: CategoryRow): CategoryNode => ({
  id: row.id,
  parent_id: row.parent_id,
  name: row.name,
  slug: row.slug,
  position: row.position,
});

/**
 * Categories: an admin-managed tree, and the categories sellers file their products under.
 * Notified changes drop the caches that show products and listings.
 */
export class CategoryService {
  constructor(
    private readonly repo: CategoriesRepository,
    private readonly changed: { product(id: string): Promise<void>; listings(): Promise<void> },
  ) {}

  /** The whole tree, each level ordered by position then name. */
  async tree(): Promise<CategoryTree[]> {
    return buildTree((await this.repo.all(MAX_CATEGORIES)).map(toNode));
  }

  /**
   * Adds a category (admins). The slug defaults to one made from the name.
   * @throws `parent_not_found`, `category_too_deep` (422), `slug_taken`, `too_many_categories` (409)
   */
  async create(actor: Actor | undefined, input: CreateCategoryInput): Promise<CategoryNode> {
    authorize(actor, { roles: ['admin'] });
    const slug = slugOf(input.slug, input.name);
    const row = await this.write(async (repo) => {
      const nodes = (await repo.all(MAX_CATEGORIES + 1)).map(toNode);
      if (nodes.length >= MAX_CATEGORIES) {
        throw conflict('too_many_categories', `there can be at most ${MAX_CATEGORIES} categories`);
      }
      const parentId = input.parent_id ?? null;
      placeOrThrow(nodes, undefined, parentId);
      return repo.insert({
        name: input.name.trim(),
        slug,
        parent_id: parentId,
        position: input.position ?? 0,
      });
    });
    return toNode(row);
  }

  /**
   * Renames, re-slugs, reorders or moves a category (admins); a move takes its subtree along.
   * @throws `category_not_found` (404), `category_cycle` (409), `parent_not_found`,
   * `category_too_deep` (422), `slug_taken` (409)
   */
  async update(actor: Actor | undefined, id: string, input: UpdateCategoryInput): Promise<CategoryNode> {
    authorize(actor, { roles: ['admin'] });
    const changes: CategoryFields = {};
    if (input.name !== undefined) changes.name = input.name.trim();
    if (input.slug !== undefined) changes.slug = slugOf(input.slug, input.name ?? '');
    if (input.position !== undefined) changes.position = input.position;
    const row = await this.write(async (repo) => {
      if (!(await repo.find(id))) throw notFound('category');
      if (input.parent_id !== undefined) {
        placeOrThrow((await repo.all(MAX_CATEGORIES)).map(toNode), id, input.parent_id);
        changes.parent_id = input.parent_id;
      }
      return (await repo.update(id, changes))!;
    });
    return toNode(row);
  }

  /**
   * Deletes an empty category (admins).
   * @throws `category_not_found` (404), `category_not_empty` (409: it has subcategories or live products)
   */
  async remove(actor: Actor | undefined, id: string): Promise<void> {
    authorize(actor, { roles: ['admin'] });
    await this.write(async (repo) => {
      if (!(await repo.find(id))) throw notFound('category');
      if (await repo.hasChildren(id)) {
        throw conflict('category_not_empty', 'the category has subcategories; move or delete them first');
      }
      if (await repo.hasLiveProducts(id)) {
        throw conflict('category_not_empty', 'products are filed under the category; refile them first');
      }
      await repo.delete(id);
    });
  }

  /**
   * Files a product under exactly these categories (its seller or an admin), replacing the
   * previous ones, in one transaction.
   * @throws `product_not_found` (404, also for another seller's product), `category_not_found` (422)
   */
  async setForProduct(
    actor: Actor | undefined,
    productId: string,
    categoryIds: readonly string[],
  ): Promise<ProductCategories> {
    const me = authorize(actor, { roles: ['seller', 'admin'] });
    const ids = [...new Set(categoryIds)].sort();
    if (ids.length > MAX_CATEGORIES_PER_PRODUCT) {
      throw invalidField('category_ids', 'too_many', `at most ${MAX_CATEGORIES_PER_PRODUCT} categories`);
    }
    await this.repo.transaction(async (repo) => {
      const product = await repo.lockProduct(productId);
      if (!product) throw notFound('product');
      authorize(me, { object: { kind: 'product', ownerIds: [product.seller_id] } });
      const found = await repo.existing(ids);
      const missing = ids.find((id) => !found.has(id));
      if (missing) throw unprocessable('category_not_found', `no category has the id ${missing}`);
      await repo.setProductCategories(productId, ids);
    });
    await this.changed.product(productId);
    return { product_id: productId, category_ids: ids };
  }

  /** One change to the tree, serialised with the others; listings are dropped once it commits. */
  private async write<T>(work: (repo: CategoriesRepository) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await this.repo.transaction(async (repo) => {
        await repo.lockTree();
        return work(repo);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'categories_slug_key')) {
        throw conflict('slug_taken', 'another category has this slug');
      }
      throw error;
    }
    await this.changed.listings();
    return result;
  }
}

function slugOf(slug: string | undefined, name: string): string {
  const made = slug ?? slugify(name);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(made) || made.length > 100) {
    throw invalidField(
      'slug',
      'invalid_slug',
      slug === undefined
        ? 'no slug can be made from the name; give one (lowercase letters, digits and dashes)'
        : 'slug must be lowercase letters and digits joined by single dashes',
    );
  }
  return made;
}

function placeOrThrow(nodes: CategoryNode[], id: string | undefined, parentId: string | null): void {
  if (parentId !== null && !nodes.some((node) => node.id === parentId)) {
    throw unprocessable('parent_not_found', 'parent_id names no category');
  }
  const verdict = checkPlacement(nodes, id, parentId);
  if (verdict === 'category_cycle') {
    throw conflict('category_cycle', 'a category cannot be moved under itself or one of its descendants');
  }
  if (verdict === 'category_too_deep') {
    throw unprocessable('category_too_deep', `categories nest at most ${MAX_CATEGORY_DEPTH} levels deep`);
  }
}
