import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import type { LedgerService } from './ledger.service.js';

/** What reconciliation answers: the ledger's own checks, possibly composed with other modules'. */
export interface ReconciliationReport {
  ok: boolean;
  violations: string[];
  counts: Record<string, number>;
}

const Reconciliation = Type.Object({
  ok: Type.Boolean({ description: 'true when no invariant is violated' }),
  violations: Type.Array(Type.String(), { description: 'one human-readable line per violation found' }),
  counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
    description: 'rows examined, e.g. accounts, transactions, entries',
  }),
});

const bearer = [{ bearerAuth: [] }];

/**
 * REST adapter of the ledger. `reconcile` defaults to the ledger's own check; the
 * composition root passes one that adds other modules' checks (payments ↔ ledger).
 */
export function ledgerRoutes(
  http: FastifyInstance,
  {
    ledger,
    reconcile = () => ledger.check(),
  }: { ledger: LedgerService; reconcile?: () => Promise<ReconciliationReport> },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/admin/ledger/check',
    {
      config: { auth: 'required', roles: ['admin'] },
      schema: {
        tags: ['admin'],
        summary:
          'Reconcile the ledger: balanced transactions, balances equal to their entries, no wallet below zero',
        description:
          'Answers 200 whatever it finds; `ok` is false and `violations` lists them when the ledger is broken.',
        security: bearer,
        response: { 200: envelope(Reconciliation), ...errorResponses(401, 403, 429) },
      },
    },
    async () => {
      const report = await reconcile();
      return ok(report.ok ? 'ledger reconciled' : 'ledger violations found', report);
    },
  );
}
