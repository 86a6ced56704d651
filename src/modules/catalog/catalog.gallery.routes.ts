import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { invalidField } from '../../platform/errors.js';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { ProductGallery } from './catalog.gallery.js';
import { MAX_GALLERY_IMAGES } from './catalog.gallery.rules.js';
import { readProductForm } from './catalog.multipart.js';
import { ProductIdParams } from './catalog.schemas.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Id = Type.String({ format: 'uuid' });

const ProductImage = Type.Object({
  id: Id,
  image_url: Type.String({
    description: 'the picture, re-encoded as WebP, at most 2048 px on its longer side',
  }),
  thumbnail_url: Type.Union([Type.String(), Type.Null()], { description: 'at most 400 px (WebP)' }),
  position: Type.Integer({ description: '0 is the cover: the product’s own image_url' }),
  created_at: Type.String({ format: 'date-time' }),
});
const ImageUploadBody = Type.Object(
  {},
  { ...strict, description: 'multipart/form-data with the image file under `image`' },
);
const ImageOrderBody = Type.Object(
  {
    image_ids: Type.Array(Id, {
      maxItems: MAX_GALLERY_IMAGES,
      description: 'every image of the product, each once, in the new order',
    }),
  },
  strict,
);
const ImageParams = Type.Object({ id: Id, imageId: Id }, strict);

/** REST adapter of product galleries. */
export function galleryRoutes(http: FastifyInstance, { gallery }: { gallery: ProductGallery }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const owner = {
    auth: 'required' as const,
    roles: ['seller' as const, 'admin' as const],
    scope: 'products:write' as const,
  };

  app.get(
    '/products/:id/images',
    {
      schema: {
        tags: ['products'],
        summary: 'A product’s images, in order (anyone)',
        params: ProductIdParams,
        response: { 200: envelope(Type.Array(ProductImage)), ...errorResponses(400, 404) },
      },
    },
    async (request) => ok('get product images successfully', await gallery.list(request.params.id)),
  );

  app.post(
    '/products/:id/images',
    {
      config: owner,
      preValidation: readProductForm,
      schema: {
        tags: ['products'],
        summary: `Add an image at the end of a product’s gallery, at most ${MAX_GALLERY_IMAGES} (owning seller or admin)`,
        security: bearer,
        consumes: ['multipart/form-data'],
        params: ProductIdParams,
        body: ImageUploadBody,
        response: { 201: envelope(ProductImage), ...errorResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      if (!request.upload) throw invalidField('image', 'required', 'send the image as a file under `image`');
      const image = await gallery.add(request.actor, request.params.id, request.upload);
      return reply.status(201).send(ok('add product image successfully', image));
    },
  );

  app.patch(
    '/products/:id/images/order',
    {
      config: owner,
      schema: {
        tags: ['products'],
        summary: 'Reorder a product’s gallery; the first becomes its image_url (owning seller or admin)',
        security: bearer,
        params: ProductIdParams,
        body: ImageOrderBody,
        response: {
          200: envelope(Type.Array(ProductImage)),
          ...errorResponses(400, 401, 403, 404, 422, 429),
        },
      },
    },
    async (request) =>
      ok(
        'reorder product images successfully',
        await gallery.reorder(request.actor, request.params.id, request.body.image_ids),
      ),
  );

  app.delete(
    '/products/:id/images/:imageId',
    {
      config: owner,
      schema: {
        tags: ['products'],
        summary: 'Remove an image from a product’s gallery (owning seller or admin)',
        security: bearer,
        params: ImageParams,
        response: { 200: envelope(Type.Null()), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      await gallery.remove(request.actor, request.params.id, request.params.imageId);
      return ok('delete product image successfully', null);
    },
  );
}
