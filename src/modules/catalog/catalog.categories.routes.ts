import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type, { type TSchema } from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { CategoryService } from './catalog.categories.js';
import { MAX_CATEGORY_DEPTH } from './catalog.categories.rules.js';
import { ProductIdParams } from './catalog.schemas.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Id = Type.String({ format: 'uuid' });
const Slug = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'lowercase letters and digits joined by dashes; unique',
});
const Position = Type.Integer({ minimum: 0, maximum: 100_000, description: 'order among its siblings' });
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });

const categoryFields = {
  id: Id,
  name: Type.String(),
  slug: Type.String(),
  parent_id: Type.Union([Id, Type.Null()]),
  position: Type.Integer(),
};
const Category = Type.Object(categoryFields);

/** The nested tree, written out to the depth limit (OpenAPI has no recursion we can rely on). */
function treeLevel(depth: number): TSchema {
  return Type.Object({
    ...categoryFields,
    children: depth > 1 ? Type.Array(treeLevel(depth - 1)) : Type.Array(Type.Object({}), { maxItems: 0 }),
  });
}
const CategoryTree = Type.Array(treeLevel(MAX_CATEGORY_DEPTH));

const CreateCategoryBody = Type.Object(
  {
    name: Name,
    slug: Type.Optional(Slug),
    parent_id: Type.Optional(Type.Union([Id, Type.Null()])),
    position: Type.Optional(Position),
  },
  strict,
);
const UpdateCategoryBody = Type.Object(
  {
    name: Type.Optional(Name),
    slug: Type.Optional(Slug),
    parent_id: Type.Optional(Type.Union([Id, Type.Null()], { description: 'null moves it to the top' })),
    position: Type.Optional(Position),
  },
  { ...strict, minProperties: 1 },
);
const CategoryIdParams = Type.Object({ id: Id }, strict);
const ProductCategoriesBody = Type.Object(
  { category_ids: Type.Array(Id, { maxItems: 10, description: 'replaces the product’s categories' }) },
  strict,
);
const ProductCategories = Type.Object({ product_id: Id, category_ids: Type.Array(Id) });

/** REST adapter of the category tree and of products' categories. */
export function categoryRoutes(http: FastifyInstance, { categories }: { categories: CategoryService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { auth: 'required' as const, roles: ['admin' as const], scope: 'admin:write' as const };

  app.get(
    '/categories',
    {
      schema: {
        tags: ['categories'],
        summary: 'The category tree (anyone)',
        response: { 200: envelope(CategoryTree), ...errorResponses(400) },
      },
    },
    async () => ok('get categories successfully', await categories.tree()),
  );

  app.post(
    '/categories',
    {
      config: admin,
      schema: {
        tags: ['categories'],
        summary: 'Add a category (admins)',
        security: bearer,
        body: CreateCategoryBody,
        response: { 201: envelope(Category), ...errorResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(ok('create category successfully', await categories.create(request.actor, request.body))),
  );

  app.patch(
    '/categories/:id',
    {
      config: admin,
      schema: {
        tags: ['categories'],
        summary: 'Rename, reorder or move a category with its subtree (admins)',
        security: bearer,
        params: CategoryIdParams,
        body: UpdateCategoryBody,
        response: { 200: envelope(Category), ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      ok(
        'update category successfully',
        await categories.update(request.actor, request.params.id, request.body),
      ),
  );

  app.delete(
    '/categories/:id',
    {
      config: admin,
      schema: {
        tags: ['categories'],
        summary: 'Delete a category without subcategories or products (admins)',
        security: bearer,
        params: CategoryIdParams,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => {
      await categories.remove(request.actor, request.params.id);
      return ok('delete category successfully', null);
    },
  );

  app.put(
    '/products/:id/categories',
    {
      config: { auth: 'required', roles: ['seller', 'admin'], scope: 'products:write' },
      schema: {
        tags: ['products'],
        summary: 'File a product under categories, replacing its previous ones (owning seller or admin)',
        security: bearer,
        params: ProductIdParams,
        body: ProductCategoriesBody,
        response: { 200: envelope(ProductCategories), ...errorResponses(400, 401, 403, 404, 422, 429) },
      },
    },
    async (request) =>
      ok(
        'update product categories successfully',
        await categories.setForProduct(request.actor, request.params.id, request.body.category_ids),
      ),
  );
}
