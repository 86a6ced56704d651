import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { AdminPayments } from './payments.admin.js';
import { DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS } from './payments.sales-buckets.js';
import type { SellerSales } from './payments.sales.js';
import { PaymentList } from './payments.schemas.js';
import { PAYMENT_STATUSES } from './payments.state.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Money = Type.String({ description: 'decimal string in the series currency' });

const Figures = {
  orders: Type.Integer({ description: 'orders holding your items' }),
  units: Type.Integer({ description: 'items sold' }),
  gross: Type.String({
    description:
      'what buyers paid for your part: your items, or a priced order’s shipment (with shipping and added tax, less discounts)',
  }),
  fees: Money,
  net: Type.String({
    description:
      'what reached your wallet: gross less the platform’s fees and the tax owed, plus discounts the platform funded',
  }),
  refunded: Type.String({ description: 'your share of what was refunded on those orders' }),
};

const SalesReport = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time', description: 'exclusive' }),
  interval: Type.Enum(['day', 'week', 'month']),
  series: Type.Array(
    Type.Object({
      currency: Type.String(),
      totals: Type.Object(Figures),
      buckets: Type.Array(
        Type.Object({
          start: Type.String({ format: 'date', description: 'the bucket’s first day (UTC)' }),
          ...Figures,
        }),
      ),
    }),
    {
      description: 'one per currency sold in (the default currency when nothing sold), every bucket present',
    },
  ),
});

const Bound = (description: string) =>
  Type.Optional(
    Type.String({ maxLength: 40, description: `YYYY-MM-DD or an RFC 3339 date-time; ${description}` }),
  );

/**
 * REST adapter of the payments module's reports. Over the in-process services in both
 * deployment shapes: they only read, and the split gateway has the database.
 */
export function paymentsReportRoutes(
  http: FastifyInstance,
  { sales, admin }: { sales: SellerSales; admin: AdminPayments },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/sellers/me/sales',
    {
      config: { auth: 'required', roles: ['seller'], scope: 'payments:read' },
      schema: {
        tags: ['payments'],
        summary: 'Your sales per day, week or month, per currency, with zeros where nothing sold (sellers)',
        description:
          `Counts paid orders (succeeded, partially refunded, refunded) by when they were made, in UTC. ` +
          `Defaults to the last ${DEFAULT_RANGE_DAYS} days; at most ${MAX_RANGE_DAYS} days.`,
        security: bearer,
        querystring: Type.Object(
          {
            from: Bound('inclusive'),
            to: Bound('exclusive, but a date includes its whole day'),
            interval: Type.Optional(Type.Enum(['day', 'week', 'month'], { default: 'day' })),
          },
          strict,
        ),
        response: { 200: envelope(SalesReport), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => ok('get sales successfully', await sales.report(request.actor, request.query)),
  );

  app.get(
    '/admin/payments',
    {
      config: {
        auth: 'required',
        roles: ['admin'],
        scope: 'admin:read',
        audit: { action: 'admin.payment.list' },
      },
      schema: {
        tags: ['admin'],
        summary:
          'Every payment, newest first: find one by its code (or the start of it), filter by status (admins)',
        security: bearer,
        querystring: Type.Object(
          {
            code: Type.Optional(
              Type.String({ maxLength: 40, description: 'e.g. GC-6929-3605-5424, or GC-6929' }),
            ),
            status: Type.Optional(Type.Enum([...PAYMENT_STATUSES])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          },
          strict,
        ),
        response: { 200: PaymentList, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const page = await admin.search(request.actor, { ...request.query, limit });
      return {
        meta: {
          success: true as const,
          message: 'get payments successfully',
          pagination: { limit, next_cursor: page.nextCursor, has_more: page.nextCursor !== null },
        },
        results: page.items,
      };
    },
  );
}
