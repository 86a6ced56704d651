import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { ReadCache } from '../../platform/cache/read-cache.js';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import { type RenderedResponse, render, sendRendered } from '../../platform/http/rendered-response.js';
import type { CatalogApi } from './catalog.api.js';
import { readProductForm } from './catalog.multipart.js';
import {
  CreateProductBody,
  ListProductsQuery,
  Product,
  ProductIdParams,
  ProductList,
  UpdateProductBody,
} from './catalog.schemas.js';

const bearer = [{ bearerAuth: [] }];
const consumes = ['application/json', 'multipart/form-data'];

export interface CatalogCaches {
  products: ReadCache<RenderedResponse>;
  lists: ReadCache<RenderedResponse>;
}

/** REST adapter of the catalog. Reads are served from rendered, cached responses with ETags. */
export function catalogRoutes(
  http: FastifyInstance,
  { catalog, caches, sandbox }: { catalog: CatalogApi; caches: CatalogCaches; sandbox: boolean },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  // Rendered responses bypass the serialiser and its hooks, so the sandbox mark is added here.
  const renderOk = (message: string, results: unknown, extra: Record<string, unknown> = {}) =>
    render({ meta: { success: true, message, ...extra, ...(sandbox ? { sandbox: true } : {}) }, results });

  app.post(
    '/products',
    {
      config: { auth: 'required', roles: ['seller'], scope: 'products:write' },
      preValidation: readProductForm,
      schema: {
        tags: ['products'],
        summary: 'List a product for sale (sellers)',
        security: bearer,
        consumes,
        body: CreateProductBody,
        response: { 201: envelope(Product), ...errorResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      const product = await catalog.create(request.actor, request.body, request.upload);
      return reply.status(201).send(ok('create product successfully', product));
    },
  );

  app.put(
    '/products/:id',
    {
      config: { auth: 'required', roles: ['seller', 'admin'], scope: 'products:write' },
      preValidation: readProductForm,
      schema: {
        tags: ['products'],
        summary: 'Change some fields of a product, or its image (owning seller or admin)',
        security: bearer,
        consumes,
        params: ProductIdParams,
        body: UpdateProductBody,
        response: { 200: envelope(Product), ...errorResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request) =>
      ok(
        'update product successfully',
        await catalog.update(request.actor, request.params.id, request.body, request.upload),
      ),
  );

  app.delete(
    '/products/:id',
    {
      config: { auth: 'required', roles: ['seller', 'admin'], scope: 'products:write' },
      schema: {
        tags: ['products'],
        summary: 'Delete a product (owning seller or admin); its past orders keep pointing at it',
        security: bearer,
        params: ProductIdParams,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      await catalog.remove(request.actor, request.params.id);
      return ok('delete product successfully', null);
    },
  );

  app.get(
    '/products/:id',
    {
      schema: {
        tags: ['products'],
        summary: 'One product (anyone); supports If-None-Match',
        params: ProductIdParams,
        response: { 200: envelope(Product), 304: Type.Null(), ...errorResponses(400, 404) },
      },
    },
    // Not async: a cache hit is answered without a single promise on the way.
    (request, reply) => {
      const { id } = request.params;
      const cached = caches.products.peek(id);
      if (cached) return sendRendered(request, reply, cached);
      caches.products
        .getOrLoad(id, async () => renderOk('get product successfully', await catalog.retrieve(id)))
        .then(
          (rendered) => sendRendered(request, reply, rendered!),
          // An error goes to the error handler; the typed reply only knows success payloads.
          (error: Error) => reply.send(error as never),
        );
    },
  );

  app.get(
    '/products',
    {
      schema: {
        tags: ['products'],
        summary: 'Products (anyone): filters, full-text search, cursor pagination; supports If-None-Match',
        querystring: ListProductsQuery,
        response: { 200: ProductList, 304: Type.Null(), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      // The schema fills these defaults in; the type cannot know that.
      const query = {
        ...request.query,
        limit: request.query.limit ?? 20,
        sort: request.query.sort ?? 'newest',
      };
      const key = JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
      const rendered = await caches.lists.getOrLoad(key, async () => {
        const page = await catalog.list(query);
        return renderOk('get products successfully', page.items, {
          pagination: {
            limit: query.limit,
            next_cursor: page.nextCursor,
            has_more: page.nextCursor !== null,
          },
        });
      });
      sendRendered(request, reply, rendered!);
      return reply;
    },
  );
}
