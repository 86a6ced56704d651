import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../../platform/http/envelope.js';
import type { MidtransNotification, MidtransNotifications } from './midtrans.notifications.js';

const Text = Type.String({ minLength: 1, maxLength: 200 });

/** `POST /payments/midtrans/webhook`: Midtrans's HTTP notifications (signature-verified). */
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
}
