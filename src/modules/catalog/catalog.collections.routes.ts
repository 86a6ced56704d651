import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import { MAX_COLLECTION_PRODUCTS, type CollectionService } from './catalog.collections.js';
import { Product } from './catalog.schemas.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Id = Type.String({ format: 'uuid' });
const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Slug = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'lowercase letters and digits joined by dashes; unique',
});
const Description = Type.String({ maxLength: 5000 });

const collectionFields = {
  id: Id,
  title: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
};
const Collection = Type.Object(collectionFields);
const CollectionPage = Type.Object({
  ...collectionFields,
  products: Type.Array(Product, { description: 'one page of its live products, in the collection’s order' }),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'for the next page of products' }),
});

const CollectionIdParams = Type.Object({ id: Id }, strict);
const CollectionPageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
  },
  strict,
);
const CreateCollectionBody = Type.Object(
  { title: Title, slug: Slug, description: Type.Optional(Description) },
  strict,
);
const UpdateCollectionBody = Type.Object(
  { title: Type.Optional(Title), slug: Type.Optional(Slug), description: Type.Optional(Description) },
  { ...strict, minProperties: 1 },
);
const CollectionProductsBody = Type.Object(
  { product_ids: Type.Array(Id, { maxItems: MAX_COLLECTION_PRODUCTS, description: 'in the order to show' }) },
  strict,
);
const CollectionProducts = Type.Object({ collection_id: Id, product_ids: Type.Array(Id) });

/** REST adapter of collections: curated product lists, managed by admins. */
export function collectionRoutes(http: FastifyInstance, { collections }: { collections: CollectionService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { auth: 'required' as const, roles: ['admin' as const], scope: 'admin:write' as const };

  app.get(
    '/collections',
    {
      schema: {
        tags: ['collections'],
        summary: 'Every collection, by title (anyone)',
        response: { 200: envelope(Type.Array(Collection)), ...errorResponses(400) },
      },
    },
    async () => ok('get collections successfully', await collections.list()),
  );

  app.get(
    '/collections/:id',
    {
      schema: {
        tags: ['collections'],
        summary: 'A collection with one page of its products, in order (anyone)',
        params: CollectionIdParams,
        querystring: CollectionPageQuery,
        response: { 200: envelope(CollectionPage), ...errorResponses(400, 404) },
      },
    },
    async (request) =>
      ok(
        'get collection successfully',
        await collections.retrieve(request.params.id, {
          limit: request.query.limit ?? 20,
          cursor: request.query.cursor,
        }),
      ),
  );

  app.post(
    '/collections',
    {
      config: admin,
      schema: {
        tags: ['collections'],
        summary: 'Create a collection (admins)',
        security: bearer,
        body: CreateCollectionBody,
        response: { 201: envelope(Collection), ...errorResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(ok('create collection successfully', await collections.create(request.actor, request.body))),
  );

  app.patch(
    '/collections/:id',
    {
      config: admin,
      schema: {
        tags: ['collections'],
        summary: 'Change a collection’s title, slug or description (admins)',
        security: bearer,
        params: CollectionIdParams,
        body: UpdateCollectionBody,
        response: { 200: envelope(Collection), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      ok(
        'update collection successfully',
        await collections.update(request.actor, request.params.id, request.body),
      ),
  );

  app.delete(
    '/collections/:id',
    {
      config: admin,
      schema: {
        tags: ['collections'],
        summary: 'Delete a collection; its products stay (admins)',
        security: bearer,
        params: CollectionIdParams,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      await collections.remove(request.actor, request.params.id);
      return ok('delete collection successfully', null);
    },
  );

  app.put(
    '/collections/:id/products',
    {
      config: admin,
      schema: {
        tags: ['collections'],
        summary: 'Set a collection’s products, in order (admins)',
        security: bearer,
        params: CollectionIdParams,
        body: CollectionProductsBody,
        response: { 200: envelope(CollectionProducts), ...errorResponses(400, 401, 403, 404, 422, 429) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const productIds = await collections.setProducts(request.actor, id, request.body.product_ids);
      return ok('update collection products successfully', { collection_id: id, product_ids: productIds });
    },
  );
}
