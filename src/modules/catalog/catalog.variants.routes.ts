import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import {
  CreateVariantBody,
  ProductIdParams,
  UpdateVariantBody,
  Variant,
  VariantParams,
} from './catalog.schemas.js';
import type { ProductVariants } from './catalog.variants.js';

const bearer = [{ bearerAuth: [] }];

/** REST adapter of product variants. */
export function variantRoutes(http: FastifyInstance, { variants }: { variants: ProductVariants }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const owner = {
    auth: 'required' as const,
    roles: ['seller' as const, 'admin' as const],
    scope: 'products:write' as const,
  };

  app.get(
    '/products/:id/variants',
    {
      schema: {
        tags: ['products'],
        summary: 'A product’s variants, in order (anyone)',
        params: ProductIdParams,
        response: { 200: envelope(Type.Array(Variant)), ...errorResponses(400, 404) },
      },
    },
    async (request) => ok('get product variants successfully', await variants.list(request.params.id)),
  );

  app.post(
    '/products/:id/variants',
    {
      config: owner,
      schema: {
        tags: ['products'],
        summary:
          'Add a variant with its own SKU, options, price and stock; the product’s stock becomes its variants’ total (owning seller or admin)',
        security: bearer,
        params: ProductIdParams,
        body: CreateVariantBody,
        response: { 201: envelope(Variant), ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const variant = await variants.create(request.actor, request.params.id, request.body);
      return reply.status(201).send(ok('create product variant successfully', variant));
    },
  );

  app.patch(
    '/products/:id/variants/:variantId',
    {
      config: owner,
      schema: {
        tags: ['products'],
        summary: 'Change a variant (owning seller or admin)',
        security: bearer,
        params: VariantParams,
        body: UpdateVariantBody,
        response: { 200: envelope(Variant), ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      ok(
        'update product variant successfully',
        await variants.update(request.actor, request.params.id, request.params.variantId, request.body),
      ),
  );

  app.delete(
    '/products/:id/variants/:variantId',
    {
      config: owner,
      schema: {
        tags: ['products'],
        summary: 'Take a variant off sale; past orders keep their copy (owning seller or admin)',
        security: bearer,
        params: VariantParams,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      await variants.remove(request.actor, request.params.id, request.params.variantId);
      return ok('delete product variant successfully', null);
    },
  );
}
