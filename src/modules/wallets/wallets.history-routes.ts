import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { errorResponses, paginatedEnvelope } from '../../platform/http/envelope.js';
import { MAX_HISTORY_PAGE } from '../ledger/ledger.history.js';
import type { Page, WalletHistory } from './wallets.history.js';

const strict = { additionalProperties: false } as const;
const bearer = [{ bearerAuth: [] }];
const Timestamp = Type.String({ format: 'date-time' });
const Limit = Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PAGE, default: 20 });
const Cursor = Type.String({ minLength: 1, maxLength: 300, description: '`next_cursor` of the page before' });
const PayoutStatus = Type.Enum(['pending', 'paid', 'canceled']);

const WalletTransaction = Type.Object({
  id: Type.String({ description: 'the entry’s place in the journal: later entries have larger numbers' }),
  transaction_id: Type.String({ format: 'uuid' }),
  kind: Type.String({ description: 'top_up, purchase, refund, payout…' }),
  description: Type.String({ description: 'e.g. Top-up, Purchase, Sale, Refund given, Payout paid' }),
  reference_type: Type.Enum(['payment', 'refund', 'payout', 'top_up', 'other']),
  reference_id: Type.String({ description: 'the payment, refund, payout or top-up id the API gave' }),
  amount: Type.String({ description: 'signed decimal string: credits positive, debits negative' }),
  currency: Type.String(),
  status: Type.Enum(['posted', 'pending', 'settled', 'voided'], {
    description:
      '`posted` moved the balance; a hold’s line is `pending`, then `settled` (its settlement is a line of its own) or `voided`',
  }),
  balance: Type.Enum(['available', 'pending'], {
    description: '`pending`: a hold’s line, money reserved or promised; `available`: moved the balance',
  }),
  balance_after: Type.String({
    description: 'the wallet’s posted balance after this line (a hold’s line leaves it unchanged)',
  }),
  created_at: Timestamp,
});

const Payout = Type.Object({
  id: Type.String({ format: 'uuid' }),
  seller_id: Type.String({ format: 'uuid' }),
  amount: Type.String(),
  currency: Type.String(),
  status: PayoutStatus,
  created_at: Timestamp,
  resolved_at: Type.Union([Timestamp, Type.Null()], { description: 'when it was paid or canceled' }),
});

const paged = <T>(message: string, limit: number, page: Page<T>) => ({
  meta: {
    success: true as const,
    message,
    pagination: { limit, next_cursor: page.nextCursor, has_more: page.nextCursor !== null },
  },
  results: page.items,
});

/** REST adapter of wallet statements and payout lists. */
export function walletHistoryRoutes(http: FastifyInstance, { history }: { history: WalletHistory }) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/wallet/transactions',
    {
      config: { auth: 'required', scope: 'wallet:read' },
      schema: {
        tags: ['wallets'],
        summary: 'Your wallet’s statement: every movement, newest first, with the balance after it',
        security: bearer,
        querystring: Type.Object(
          {
            currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          strict,
        ),
        response: { 200: paginatedEnvelope(WalletTransaction), ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const page = await history.transactions(request.actor, { ...request.query, limit });
      return paged('get wallet transactions successfully', limit, page);
    },
  );

  app.get(
    '/wallet/payouts',
    {
      config: { auth: 'required', roles: ['seller'], scope: 'wallet:read' },
      schema: {
        tags: ['wallets'],
        summary: 'Your payouts, newest first (sellers)',
        security: bearer,
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, strict),
        response: { 200: paginatedEnvelope(Payout), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const page = await history.payouts(request.actor, { ...request.query, limit });
      return paged('get payouts successfully', limit, page);
    },
  );

  app.get(
    '/admin/payouts',
    {
      config: {
        auth: 'required',
        roles: ['admin'],
        scope: 'admin:read',
        audit: { action: 'admin.payout.list' },
      },
      schema: {
        tags: ['admin'],
        summary: 'Every seller’s payouts, newest first; `status=pending` for those to pay (admins)',
        security: bearer,
        querystring: Type.Object(
          { status: Type.Optional(PayoutStatus), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
          strict,
        ),
        response: { 200: paginatedEnvelope(Payout), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const page = await history.allPayouts(request.actor, { ...request.query, limit });
      return paged('get payouts successfully', limit, page);
    },
  );
}
