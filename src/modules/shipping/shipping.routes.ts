import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { ShippingService } from './shipping.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];

const Money = (description: string) => Type.String({ minLength: 1, maxLength: 32, description });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Kind = Type.Union([Type.Literal('flat'), Type.Literal('free_above'), Type.Literal('per_region')], {
  description:
    'flat: `amount` anywhere; free_above: `amount` until the goods reach `free_above`; per_region: by `regions`',
});
const RegionRate = Type.Object(
  {
    country: Type.String({ minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2' }),
    region: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'absent: the whole country' }),
    ),
    amount: Money('decimal string in the option’s currency'),
  },
  strict,
);
const Regions = Type.Array(RegionRate, { maxItems: 100 });

const CreateBody = Type.Object(
  {
    name: Name,
    kind: Kind,
    currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217' }),
    amount: Type.Optional(
      Money('the rate; per_region: the rate where no region matches (absent: not shipped there)'),
    ),
    free_above: Type.Optional(Money('free_above: the goods subtotal from which shipping is free')),
    regions: Type.Optional(Regions),
  },
  strict,
);

const UpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    kind: Type.Optional(Kind),
    amount: Type.Optional(Type.Union([Money('the rate'), Type.Null()])),
    free_above: Type.Optional(Type.Union([Money('the free-shipping threshold'), Type.Null()])),
    regions: Type.Optional(Regions),
  },
  { ...strict, minProperties: 1, description: 'the currency cannot change: create a new option' },
);

const ShippingOption = Type.Object({
  id: Type.String({ format: 'uuid' }),
  seller_id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  kind: Kind,
  currency: Type.String(),
  amount: Type.Union([Type.String(), Type.Null()]),
  free_above: Type.Union([Type.String(), Type.Null()]),
  regions: Type.Array(
    Type.Object({
      country: Type.String(),
      region: Type.Union([Type.String(), Type.Null()]),
      amount: Type.String(),
    }),
  ),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);
const seller = (scope: 'products:read' | 'products:write') =>
  ({ auth: 'required', roles: ['seller'], scope }) as const;

/** REST adapter of sellers' shipping options. */
export function shippingRoutes(http: FastifyInstance, { shipping }: { shipping: ShippingService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/sellers/:id/shipping-options',
    {
      schema: {
        tags: ['shipping'],
        summary: 'How a seller ships: the options a buyer chooses from',
        params: IdParams,
        response: { 200: envelope(Type.Array(ShippingOption)), ...errorResponses(400, 429) },
      },
    },
    async (request) =>
      ok('get shipping options successfully', await shipping.listOfSeller(request.params.id)),
  );

  app.get(
    '/sellers/me/shipping-options',
    {
      config: seller('products:read'),
      schema: {
        tags: ['shipping'],
        summary: 'Your shipping options (sellers)',
        security: bearer,
        response: { 200: envelope(Type.Array(ShippingOption)), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => ok('get shipping options successfully', await shipping.listOwn(request.actor)),
  );

  app.post(
    '/sellers/me/shipping-options',
    {
      config: seller('products:write'),
      schema: {
        tags: ['shipping'],
        summary: 'Add a shipping option, at most 20 (sellers)',
        security: bearer,
        body: CreateBody,
        response: { 201: envelope(ShippingOption), ...errorResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(ok('create shipping option successfully', await shipping.create(request.actor, request.body))),
  );

  app.patch(
    '/sellers/me/shipping-options/:id',
    {
      config: seller('products:write'),
      schema: {
        tags: ['shipping'],
        summary: 'Change one of your shipping options (sellers)',
        security: bearer,
        params: IdParams,
        body: UpdateBody,
        response: { 200: envelope(ShippingOption), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      ok(
        'update shipping option successfully',
        await shipping.update(request.actor, request.params.id, request.body),
      ),
  );

  app.delete(
    '/sellers/me/shipping-options/:id',
    {
      config: seller('products:write'),
      schema: {
        tags: ['shipping'],
        summary: 'Delete one of your shipping options (sellers)',
        security: bearer,
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await shipping.delete(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
