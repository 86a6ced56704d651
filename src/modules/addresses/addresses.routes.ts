import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { AddressesService } from './addresses.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) });

const fields = {
  name: text(200, 'who receives the parcel'),
  line1: text(200),
  line2: Type.Union([text(200), Type.Null()]),
  city: text(100),
  region: text(100, 'province or state'),
  postal_code: text(20),
  country: Type.String({ minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2, e.g. "ID"' }),
  phone: Type.Union([text(32, 'digits, optionally with + ( ) - . and spaces'), Type.Null()]),
  is_default: Type.Boolean({ description: 'the address checkout offers first; your first address is it' }),
};

const CreateBody = Type.Object(
  {
    name: fields.name,
    line1: fields.line1,
    line2: Type.Optional(fields.line2),
    city: fields.city,
    region: fields.region,
    postal_code: fields.postal_code,
    country: fields.country,
    phone: Type.Optional(fields.phone),
    is_default: Type.Optional(fields.is_default),
  },
  strict,
);

const UpdateBody = Type.Partial(Type.Object(fields, strict), { ...strict, minProperties: 1 });

const Address = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  line1: Type.String(),
  line2: Type.Union([Type.String(), Type.Null()]),
  city: Type.String(),
  region: Type.String(),
  postal_code: Type.String(),
  country: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  is_default: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);
// Buyers hold no API clients: the address book is only ever reached by a signed-in person.
const buyer = { auth: 'required', roles: ['buyer'], scope: 'sessions-only' } as const;

/** REST adapter of the buyer's address book. */
export function addressesRoutes(http: FastifyInstance, { addresses }: { addresses: AddressesService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/users/me/addresses',
    {
      config: buyer,
      schema: {
        tags: ['users'],
        summary: 'Your address book, oldest first (buyers)',
        security: bearer,
        response: { 200: envelope(Type.Array(Address)), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => ok('get addresses successfully', await addresses.list(request.actor)),
  );

  app.post(
    '/users/me/addresses',
    {
      config: buyer,
      schema: {
        tags: ['users'],
        summary: 'Add an address, at most 20 (buyers)',
        security: bearer,
        body: CreateBody,
        response: { 201: envelope(Address), ...errorResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(ok('create address successfully', await addresses.create(request.actor, request.body))),
  );

  app.patch(
    '/users/me/addresses/:id',
    {
      config: buyer,
      schema: {
        tags: ['users'],
        summary: 'Change one of your addresses; null clears line2 or phone (buyers)',
        security: bearer,
        params: IdParams,
        body: UpdateBody,
        response: { 200: envelope(Address), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      ok(
        'update address successfully',
        await addresses.update(request.actor, request.params.id, request.body),
      ),
  );

  app.delete(
    '/users/me/addresses/:id',
    {
      config: buyer,
      schema: {
        tags: ['users'],
        summary: 'Delete one of your addresses (buyers)',
        security: bearer,
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await addresses.delete(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
