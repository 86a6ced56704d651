import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import {
  FORGED_SAMPLE_BYTES,
  type MidtransNotification,
  type MidtransNotifications,
} from './midtrans.notifications.js';

const Text = Type.String({ minLength: 1, maxLength: 200 });

/** Midtrans's notifications are about 1–2 KB; anything far bigger is not one. */
const NOTIFICATION_BODY_LIMIT_BYTES = 16 * 1024;

const StoredNotification = Type.Object({
  id: Type.String({ format: 'uuid' }),
  order_id: Type.String(),
  transaction_status: Type.Union([Type.String(), Type.Null()]),
  signature_valid: Type.Boolean(),
  outcome: Type.String({ description: '`held_for_review`: the gateway and we disagree about the money' }),
  raw: Type.Unknown({ description: 'the notification exactly as received; null for a forged one' }),
  raw_sample: Type.Union([Type.String(), Type.Null()], {
    description: `a forged notification's first ${FORGED_SAMPLE_BYTES} bytes; null for a genuine one`,
  }),
  received_at: Type.String({ format: 'date-time' }),
});

const NotificationList = Type.Object({
  meta: Type.Object({
    success: Type.Literal(true),
    message: Type.String(),
    sandbox: Type.Optional(Type.Boolean()),
    forged_notifications: Type.Object(
      {
        total: Type.Integer({ description: 'every forged notification received, kept or not' }),
        last_received_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
        samples_kept: Type.Integer({ description: 'how many of the newest keep a sample' }),
      },
      { description: 'forged notifications are counted; only the newest keep a short sample' },
    ),
  }),
  results: Type.Array(StoredNotification),
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
      // Anyone may call this without logging in: a per-IP budget (counted before the body is
      // read) and a small body limit bound what a stranger can make us do.
      bodyLimit: NOTIFICATION_BODY_LIMIT_BYTES,
      config: { ipLimit: 'midtransPerIp' },
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
          ...errorResponses(400, 401, 413, 429, 503),
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
      config: {
        auth: 'required',
        roles: ['admin'],
        scope: 'admin:read',
        audit: { action: 'admin.midtrans.review' },
      },
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
        response: { 200: NotificationList, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const { notifications: results, forged } = await notifications.list(request.actor, {
        outcome: request.query.outcome,
        orderId: request.query.order_id,
        limit: request.query.limit,
      });
      const answer = ok('get notifications successfully', results);
      return { ...answer, meta: { ...answer.meta, forged_notifications: forged } };
    },
  );
}
