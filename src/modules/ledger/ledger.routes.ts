import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { envelope, errorResponses, ok } from '../../platform/http/envelope.js';
import { DEFAULT_MAX_VIOLATIONS, type LedgerService, MAX_VIOLATIONS_LIMIT } from './ledger.service.js';

/** What reconciliation answers: the ledger's own checks, possibly composed with other modules'. */
export interface ReconciliationReport {
  ok: boolean;
  /** At most the limit asked for. */
  violations: string[];
  /** Every violation found, listed or not. */
  violationCount: number;
  /** Checks that could not be made (a gateway that did not answer); not violations, not ok either. */
  warnings?: string[];
  counts: Record<string, number>;
}

/** How much a check lists, and whether it asks payment gateways too. */
export interface ReconcileOptions {
  maxViolations?: number;
  gateway?: boolean;
}

const Reconciliation = Type.Object({
  ok: Type.Boolean({ description: 'true when no invariant is violated' }),
  violations: Type.Array(Type.String(), {
    description: 'one human-readable line per violation, at most max_violations of them',
  }),
  violation_count: Type.Integer({ minimum: 0, description: 'every violation found, listed or not' }),
  truncated: Type.Boolean({ description: 'true when violation_count exceeds the violations listed' }),
  warnings: Type.Array(Type.String(), {
    description: 'checks that could not be made, e.g. a payment gateway that did not answer',
  }),
  counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
    description: 'rows examined, e.g. accounts, transactions, entries, payments, refunds',
  }),
});

const CheckQuery = Type.Object(
  {
    max_violations: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_VIOLATIONS_LIMIT,
        description: `violations to list (default ${DEFAULT_MAX_VIOLATIONS}); all are counted`,
      }),
    ),
    gateway: Type.Optional(
      Type.Boolean({ description: 'also compare refunds with what payment gateways say (default true)' }),
    ),
  },
  { additionalProperties: false },
);

const bearer = [{ bearerAuth: [] }];

/**
 * REST adapter of the ledger. `reconcile` defaults to the ledger's own check; the
 * composition root passes one that adds other modules' checks (payments ↔ ledger).
 */
export function ledgerRoutes(
  http: FastifyInstance,
  {
    ledger,
    reconcile = (options) => ledger.check({ maxViolations: options.maxViolations }),
  }: { ledger: LedgerService; reconcile?: (options: ReconcileOptions) => Promise<ReconciliationReport> },
) {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/admin/ledger/check',
    {
      config: {
        auth: 'required',
        roles: ['admin'],
        scope: 'admin:read',
        audit: { action: 'admin.ledger.check' },
      },
      schema: {
        tags: ['admin'],
        summary:
          'Reconcile the ledger: balanced transactions, balances equal to their entries, no wallet below zero',
        description:
          'Answers 200 whatever it finds; `ok` is false and `violations` lists them when the ledger is broken. ' +
          'The database checks read one consistent snapshot; gateways are asked afterwards.',
        security: bearer,
        querystring: CheckQuery,
        response: { 200: envelope(Reconciliation), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const report = await reconcile({
        maxViolations: request.query.max_violations,
        gateway: request.query.gateway,
      });
      const warnings = report.warnings ?? [];
      const message = !report.ok
        ? 'ledger violations found'
        : warnings.length
          ? 'ledger reconciled, but some checks could not be made'
          : 'ledger reconciled';
      return ok(message, {
        ok: report.ok,
        violations: report.violations,
        violation_count: report.violationCount,
        truncated: report.violationCount > report.violations.length,
        warnings,
        counts: report.counts,
      });
    },
  );
}
