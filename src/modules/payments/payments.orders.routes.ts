import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { Orders } from './payments.orders.js';
import {
  ListOrdersQuery,
  OrderDetail,
  OrderIdParams,
  OrderItem,
  OrderItemParams,
  OrderList,
  ShipmentBody,
} from './payments.orders.schemas.js';

const bearer = [{ bearerAuth: [] }];
/**
 * REST adapter of orders and their fulfilment. Always over the in-process service: the split
 * gateway has the database too, and these routes have no gRPC method behind them.
 */
export function ordersRoutes(http: FastifyInstance, { orders }: { orders: Orders }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const fulfilment = {
    auth: 'required' as const,
    idempotent: true,
    roles: ['seller' as const, 'admin' as const],
  };

  app.get(
    '/orders',
    {
      config: { auth: 'required', scope: 'orders:read' },
      schema: {
        tags: ['orders'],
        summary:
          'Your orders (buyers), orders holding your items with only those items (sellers), all (admins); newest first',
        security: bearer,
        querystring: ListOrdersQuery,
        response: { 200: OrderList, ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const page = await orders.list(request.actor, { limit, cursor: request.query.cursor });
      return {
        meta: {
          success: true as const,
          message: 'get orders successfully',
          pagination: { limit, next_cursor: page.nextCursor, has_more: page.nextCursor !== null },
        },
        results: page.items,
      };
    },
  );

  app.get(
    '/orders/:id',
    {
      config: { auth: 'required', scope: 'orders:read' },
      schema: {
        tags: ['orders'],
        summary:
          'One order with its payment and refunds: its buyer, a seller of its items (their items only), or an admin',
        security: bearer,
        params: OrderIdParams,
        response: { 200: envelope(OrderDetail), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => ok('get order successfully', await orders.retrieve(request.actor, request.params.id)),
  );

  app.post(
    '/orders/:id/items/:itemId/shipments',
    {
      config: { ...fulfilment, scope: 'orders:write' },
      schema: {
        tags: ['orders'],
        summary: 'Ship a paid item (its seller or an admin): records the carrier and tracking number',
        security: bearer,
        params: OrderItemParams,
        body: ShipmentBody,
        response: { 201: envelope(OrderItem), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const { id, itemId } = request.params;
      const item = await orders.ship(request.actor, id, itemId, request.body);
      return reply.status(201).send(ok('ship order item successfully', item));
    },
  );

  app.post(
    '/orders/:id/items/:itemId/delivered',
    {
      config: { ...fulfilment, scope: 'orders:write' },
      schema: {
        tags: ['orders'],
        summary: 'Mark a shipped item delivered (its seller or an admin)',
        security: bearer,
        params: OrderItemParams,
        response: { 200: envelope(OrderItem), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => {
      const { id, itemId } = request.params;
      return ok('deliver order item successfully', await orders.deliver(request.actor, id, itemId));
    },
  );
}
