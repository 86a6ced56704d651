import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { MidtransNotification, MidtransNotifications } from './midtrans.notifications.js';

const Text = Type.String({ minLength: 1, maxLength: 200 });

const StoredNotification = Type.Object({
  id: Type.String({ format: 'uuid' }),
  order_id: Type.String(),
  transaction_status: Type.Union([Type.String(), Type.Null()]),
  signature_valid: Type.Boolean(),
  outcome: Type.String({ description: '`held_for_review`: the gateway and we disagree about the money' }),
  raw: Type.Unknown({ description: 'the notification exactly as received' }),
  received_at: Type.String({ format: 'date-time' }),
});

/**
 * `POST /payments/midtrans/webhook`: Midtrans's HTTP notifications (signature-verified),
 * and the admins' view of what was received.
 */
export function midtransRoutes(http: FastifyInstance, notifications: MidtransNotifications) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/payments/midtrans/webhook',
    {
      schema: {
        tags: ['payments'],
        summary:
          'Midtrans HTTP notification (signature_key = SHA-512 of order_id, status_code, gross_amount, server key)',
        // Midtrans adds fields over time; the ones we rely on are required, the rest kept raw.
        body: Type.Object(
          {
            order_id: Text,
            status_code: Type.String({ pattern: '^\\d{3}$' }),
            gross_amount: Type.String({ pattern: '^\\d+(\\.\\d{1,2})?$' }),
            signature_key: Type.String({ maxLength: 256 }),
            transaction_status: Text,
            fraud_status: Type.Optional(Text),
            currency: Type.Optional(Text),
          },
          { additionalProperties: true },
        ),
        response: {
          200: envelope(Type.Object({ outcome: Type.String() })),
          ...errorResponses(400, 401, 503),
        },
      },
    },
    async (request) =>
      ok('notification received', {
        outcome: await notifications.receive(request.body as MidtransNotification),
      }),
  );

  app.get(
    '/admin/midtrans/notifications',
    {
      config: { auth: 'required', roles: ['admin'] },
      schema: {
        tags: ['admin'],
        summary:
          'Midtrans notifications received, newest first (`?outcome=held_for_review` for those to review)',
        security: [{ bearerAuth: [] }],
        querystring: Type.Object(
          {
            outcome: Type.Optional(Type.String({ maxLength: 64 })),
            order_id: Type.Optional(Type.String({ maxLength: 100 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: envelope(Type.Array(StoredNotification)), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) =>
      ok(
        'get notifications successfully',
        await notifications.list(request.actor, {
          outcome: request.query.outcome,
          orderId: request.query.order_id,
          limit: request.query.limit,
        }),
      ),
  );
}
