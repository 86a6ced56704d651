import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { TaxesService } from './taxes.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];

const Country = Type.String({ minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2, e.g. "ID"' });
const Region = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'a province or state; absent: the whole country',
});
const TaxClass = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'free text; "standard" by default',
});
const RateBps = Type.Integer({ minimum: 0, maximum: 10_000, description: 'basis points: 1100 is 11%' });
const Inclusive = Type.Boolean({
  description: 'prices already contain the tax (it is extracted, not added)',
});
const Currency = Type.String({
  pattern: '^[A-Za-z]{3}$',
  description: 'ISO 4217; absent: prices in any currency',
});

const CreateBody = Type.Object(
  {
    country: Country,
    region: Type.Optional(Region),
    tax_class: Type.Optional(TaxClass),
    rate_bps: RateBps,
    inclusive: Inclusive,
    currency: Type.Optional(Currency),
  },
  strict,
);

const UpdateBody = Type.Object(
  {
    country: Type.Optional(Country),
    region: Type.Optional(Type.Union([Region, Type.Null()])),
    tax_class: Type.Optional(TaxClass),
    rate_bps: Type.Optional(RateBps),
    inclusive: Type.Optional(Inclusive),
    currency: Type.Optional(Type.Union([Currency, Type.Null()])),
  },
  { ...strict, minProperties: 1 },
);

const TaxRate = Type.Object({
  id: Type.String({ format: 'uuid' }),
  country: Type.String(),
  region: Type.Union([Type.String(), Type.Null()]),
  tax_class: Type.String(),
  rate_bps: Type.Integer(),
  inclusive: Type.Boolean(),
  currency: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);
const admin = (scope: 'admin:read' | 'admin:write', action?: string) =>
  ({
    auth: 'required',
    roles: ['admin'],
    scope,
    ...(action ? { audit: { action, target: 'tax_rate' } } : {}),
  }) as const;

/** REST adapter of the tax rates admins keep. */
export function taxesRoutes(http: FastifyInstance, { taxes }: { taxes: TaxesService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/admin/tax-rates',
    {
      config: admin('admin:read'),
      schema: {
        tags: ['admin'],
        summary: 'Every tax rate, by country and class (admins)',
        security: bearer,
        response: { 200: envelope(Type.Array(TaxRate)), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => ok('get tax rates successfully', await taxes.list(request.actor)),
  );

  app.post(
    '/admin/tax-rates',
    {
      config: admin('admin:write', 'admin.tax_rate.create'),
      schema: {
        tags: ['admin'],
        summary: 'Add a tax rate for a country (and optionally a region, class and currency) (admins)',
        security: bearer,
        body: CreateBody,
        response: { 201: envelope(TaxRate), ...errorResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(ok('create tax rate successfully', await taxes.create(request.actor, request.body))),
  );

  app.patch(
    '/admin/tax-rates/:id',
    {
      config: admin('admin:write', 'admin.tax_rate.update'),
      schema: {
        tags: ['admin'],
        summary: 'Change a tax rate; null clears its region or currency (admins)',
        security: bearer,
        params: IdParams,
        body: UpdateBody,
        response: { 200: envelope(TaxRate), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      ok('update tax rate successfully', await taxes.update(request.actor, request.params.id, request.body)),
  );

  app.delete(
    '/admin/tax-rates/:id',
    {
      config: admin('admin:write', 'admin.tax_rate.delete'),
      schema: {
        tags: ['admin'],
        summary: 'Delete a tax rate (admins)',
        security: bearer,
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await taxes.delete(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
