import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type, { type TSchema } from 'typebox';
import { envelope, errorResponses, ok, paginatedEnvelope } from '../../platform/http/envelope.js';
import { DISCOUNTS_PAGE_SIZE, type DiscountsService } from './discounts.service.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Money = (description: string) => Type.String({ minLength: 1, maxLength: 32, description });
const Code = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    'what buyers type: 3 to 32 letters, digits, "-" or "_", stored upper case, unique among live discounts',
});
const Kind = Type.Union([Type.Literal('percentage'), Type.Literal('fixed'), Type.Literal('free_shipping')], {
  description:
    'percentage: `percent_bps` off the goods; fixed: `amount` off the goods; free_shipping: no shipping fee',
});
const PercentBps = Type.Integer({ minimum: 1, maximum: 10_000, description: 'basis points: 1500 is 15%' });
const Currency = Type.String({
  pattern: '^[A-Za-z]{3}$',
  description: 'ISO 4217; required for a fixed amount or a minimum subtotal; absent: any currency',
});
const Time = (description: string) => Type.String({ format: 'date-time', description });
const Count = (description: string) => Type.Integer({ minimum: 1, maximum: 1_000_000_000, description });

const terms = {
  percent_bps: PercentBps,
  amount: Money('fixed: the amount off, a decimal string in `currency`'),
  minimum_subtotal: Money('the goods subtotal (the seller’s for a seller’s discount) from which it applies'),
  starts_at: Time('applies from this instant; absent: at once'),
  ends_at: Time('applies until this instant, excluded; absent: no end'),
  max_uses: Count('how many payments may use it in all; absent: no limit'),
  max_uses_per_customer: Count('how many payments of one buyer may use it; absent: no limit'),
  active: Type.Boolean({ description: 'false: paused; it does not apply and its code is free' }),
};

const CreateBody = Type.Object(
  {
    code: Type.Optional(Code),
    kind: Kind,
    currency: Type.Optional(Currency),
    percent_bps: Type.Optional(terms.percent_bps),
    amount: Type.Optional(terms.amount),
    minimum_subtotal: Type.Optional(terms.minimum_subtotal),
    starts_at: Type.Optional(terms.starts_at),
    ends_at: Type.Optional(terms.ends_at),
    max_uses: Type.Optional(terms.max_uses),
    max_uses_per_customer: Type.Optional(terms.max_uses_per_customer),
    active: Type.Optional(terms.active),
  },
  { ...strict, description: 'without `code`: an automatic promotion, applied to every cart it fits' },
);

const UpdateBody = Type.Object(
  {
    code: Type.Optional(nullable(Code)),
    percent_bps: Type.Optional(PercentBps),
    amount: Type.Optional(terms.amount),
    minimum_subtotal: Type.Optional(nullable(terms.minimum_subtotal)),
    starts_at: Type.Optional(nullable(terms.starts_at)),
    ends_at: Type.Optional(nullable(terms.ends_at)),
    max_uses: Type.Optional(nullable(terms.max_uses)),
    max_uses_per_customer: Type.Optional(nullable(terms.max_uses_per_customer)),
    active: Type.Optional(terms.active),
  },
  {
    ...strict,
    minProperties: 1,
    description:
      'absent fields stay, null clears one; kind and currency cannot change: create a new discount',
  },
);

const Discount = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.Union([Type.String(), Type.Null()], { description: 'null: an automatic promotion' }),
  seller_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'the seller whose goods it applies to; null: the platform’s, on the whole cart',
  }),
  funded_by: Type.Union([Type.Literal('platform'), Type.Literal('seller')], {
    description: 'who pays for it',
  }),
  kind: Kind,
  percent_bps: Type.Union([Type.Integer(), Type.Null()]),
  amount: Type.Union([Type.String(), Type.Null()], { description: 'decimal string in `currency`' }),
  currency: Type.Union([Type.String(), Type.Null()]),
  minimum_subtotal: Type.Union([Type.String(), Type.Null()], { description: 'decimal string in `currency`' }),
  starts_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  ends_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  max_uses: Type.Union([Type.Integer(), Type.Null()]),
  max_uses_per_customer: Type.Union([Type.Integer(), Type.Null()]),
  uses: Type.Integer({ description: 'payments that use it now (released ones gave theirs back)' }),
  active: Type.Boolean({ description: 'false: paused or deleted' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const ListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: DISCOUNTS_PAGE_SIZE, default: DISCOUNTS_PAGE_SIZE }),
    ),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: '`next_cursor` of the page before' }),
    ),
  },
  strict,
);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);
const managers = (scope: 'products:read' | 'products:write') =>
  ({ auth: 'required', roles: ['seller', 'admin'], scope }) as const;

/** REST adapter of discounts: sellers' own and (for admins) the platform's. */
export function discountsRoutes(http: FastifyInstance, { discounts }: { discounts: DiscountsService }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/discounts',
    {
      config: managers('products:read'),
      schema: {
        tags: ['discounts'],
        summary: 'Discounts, newest first: your own (sellers) or every one (admins)',
        security: bearer,
        querystring: ListQuery,
        response: { 200: paginatedEnvelope(Discount), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DISCOUNTS_PAGE_SIZE;
      const page = await discounts.list(request.actor, { ...request.query, limit });
      return {
        meta: {
          success: true as const,
          message: 'get discounts successfully',
          pagination: { limit, next_cursor: page.nextCursor, has_more: page.nextCursor !== null },
        },
        results: page.items,
      };
    },
  );

  app.post(
    '/discounts',
    {
      config: managers('products:write'),
      schema: {
        tags: ['discounts'],
        summary: 'Create a coupon code or automatic promotion: a seller’s own, or the platform’s (admins)',
        security: bearer,
        body: CreateBody,
        response: { 201: envelope(Discount), ...errorResponses(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(ok('create discount successfully', await discounts.create(request.actor, request.body))),
  );

  app.get(
    '/discounts/:id',
    {
      config: managers('products:read'),
      schema: {
        tags: ['discounts'],
        summary: 'One discount: your own (sellers) or any (admins)',
        security: bearer,
        params: IdParams,
        response: { 200: envelope(Discount), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      ok('get discount successfully', await discounts.retrieve(request.actor, request.params.id)),
  );

  app.patch(
    '/discounts/:id',
    {
      config: managers('products:write'),
      schema: {
        tags: ['discounts'],
        summary: 'Change a discount: your own (sellers) or any (admins)',
        security: bearer,
        params: IdParams,
        body: UpdateBody,
        response: { 200: envelope(Discount), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      ok(
        'update discount successfully',
        await discounts.update(request.actor, request.params.id, request.body),
      ),
  );

  app.delete(
    '/discounts/:id',
    {
      config: managers('products:write'),
      schema: {
        tags: ['discounts'],
        summary: 'Delete a discount: it stops applying and frees its code; its redemptions stay',
        security: bearer,
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await discounts.delete(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
