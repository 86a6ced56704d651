import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { notFound } from '../errors.js';
import { isValidObjectKey, type ObjectStorage } from '../storage/object-storage.js';

/**
 * Serves objects of the local-disk storage at a stable URL. Keys are random and never
 * reused, so responses are cacheable forever; other sites may embed the images.
 */
export function uploadsRoutes(http: FastifyInstance, storage: ObjectStorage) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/uploads/:folder/:file',
    {
      schema: {
        tags: ['products'],
        summary: 'A stored product image',
        params: Type.Object({
          folder: Type.String({ pattern: '^[a-z0-9-]+$', maxLength: 64 }),
          file: Type.String({ pattern: '^[a-z0-9-]+\\.(jpg|png|webp)$', maxLength: 128 }),
        }),
      },
    },
    async (request, reply) => {
      const key = `${request.params.folder}/${request.params.file}`;
      if (!isValidObjectKey(key)) throw notFound('image');
      const object = await storage.get(key);
      if (!object) throw notFound('image');
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('etag', `"${request.params.file}"`)
        .type(object.contentType)
        .send(object.bytes);
    },
  );
}
