import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { decodeTimeCursor, encodeTimeCursor, likeLiteral, pageOf } from '../../platform/db/keyset.js';
import { invalidField } from '../../platform/errors.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsReportsRepository } from './payments.reports.repository.js';
import { type PublicPayment, toPublicPayment } from './payments.rules.js';
import type { PaymentStatus } from './payments.state.js';

// Codes look like GC-6929-3605-5424 (newPaymentCode); `#` is any digit.
const CODE_TEMPLATE = 'GC-####-####-####';

/** Whether `code` is a payment code or the start of one: nothing else can match any. */
export const isPaymentCodePrefix = (code: string): boolean =>
  code.length >= 1 &&
  code.length <= CODE_TEMPLATE.length &&
  [...code].every((char, i) =>
    CODE_TEMPLATE[i] === '#' ? char >= '0' && char <= '9' : char === CODE_TEMPLATE[i],
  );

/** Payments for the back office: every buyer's, searched by code and status. */
export class AdminPayments {
  private readonly reports: PaymentsReportsRepository;
  private readonly payments: PaymentsRepository;

  constructor(db: Kysely<object>) {
    this.reports = new PaymentsReportsRepository(db);
    this.payments = PaymentsRepository.of(db);
  }

  /**
   * Every payment, newest first; `code` matches a whole payment code or its start, any case.
   * @throws `role_not_allowed` (403); `validation_failed` (400) for a code that cannot be
   * one (`invalid_payment_code`) or a cursor we did not issue
   */
  async search(
    actor: Actor | undefined,
    query: { code?: string; status?: PaymentStatus; limit: number; cursor?: string },
  ): Promise<{ items: PublicPayment[]; nextCursor: string | null }> {
    authorize(actor, { roles: ['admin'] });
    const code = query.code?.trim().toUpperCase();
    if (code !== undefined && !isPaymentCodePrefix(code)) {
      throw invalidField(
        'code',
        'invalid_payment_code',
        'code must be a payment code or its start, like GC-6929',
      );
    }
    const after = query.cursor === undefined ? undefined : decodeTimeCursor(query.cursor);
    const rows = await this.reports.searchPayments(
      { codePrefix: code === undefined ? undefined : likeLiteral(code), status: query.status },
      query.limit,
      after,
    );
    const items = await this.payments.itemsOfOrders(rows.slice(0, query.limit).map((row) => row.order_id));
    return pageOf(
      rows,
      query.limit,
      (row) => toPublicPayment(row, items.get(row.order_id) ?? []),
      (row) => encodeTimeCursor({ createdAt: row.cursor_key, id: row.id }),
    );
  }
}
