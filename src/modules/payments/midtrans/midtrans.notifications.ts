import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { tablesOf } from '../../../platform/db/database.js';
import { unauthenticated } from '../../../platform/errors.js';
import type { PaymentsService } from '../payments.service.js';
import type { PaymentsTables } from '../payments.tables.js';
import type { MidtransClient } from './midtrans.client.js';
import { grossAmountMatches, isValidSignature, targetStatus } from './midtrans.rules.js';

export interface MidtransNotification {
  order_id: string;
  status_code: string;
  gross_amount: string;
  signature_key: string;
  transaction_status: string;
  fraud_status?: string;
  currency?: string;
  [field: string]: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Midtrans's HTTP notifications. A notification is only a hint: after its signature is
 * checked, the status is confirmed with Midtrans's status API and applied through the
 * payment state machine, so duplicates, replays, late and out-of-order deliveries change
 * nothing they should not. Every notification is stored with what was made of it.
 */
export class MidtransNotifications {
  private readonly db: Kysely<PaymentsTables>;

  constructor(
    db: Kysely<object>,
    private readonly client: MidtransClient,
    private readonly serverKey: string,
    private readonly payments: PaymentsService,
    private readonly logger: Logger,
  ) {
    this.db = tablesOf<PaymentsTables>(db);
  }

  /** @throws `invalid_signature` (401) for a forged notification, which changes nothing. */
  async receive(notification: MidtransNotification): Promise<string> {
    if (!isValidSignature(notification, this.serverKey)) {
      await this.record(notification, false, 'rejected_signature');
      throw unauthenticated('invalid_signature', 'the notification signature is not valid');
    }
    const outcome = await this.apply(notification.order_id);
    await this.record(notification, true, outcome);
    return outcome;
  }

  private async apply(orderId: string): Promise<string> {
    if (!UUID.test(orderId)) return 'unknown_order';
    const confirmed = await this.client.status(orderId);
    const payment = await this.payments.findForGateway(orderId);
    if (!payment || payment.method !== 'midtrans') return 'unknown_order';
    const sameMoney =
      grossAmountMatches(confirmed.gross_amount, payment.amount_minor) &&
      (confirmed.currency ?? 'IDR') === payment.currency;
    if (!sameMoney) {
      this.logger.warn(
        { orderId, gross: confirmed.gross_amount },
        'Midtrans amount differs; held for review',
      );
      return 'held_for_review';
    }
    const target = targetStatus(confirmed.transaction_status, confirmed.fraud_status);
    if (target === 'ignore') return `ignored_${confirmed.transaction_status}`;
    return this.payments.applyGatewayStatus(orderId, target);
  }

  private async record(notification: MidtransNotification, valid: boolean, outcome: string) {
    await this.db
      .insertInto('midtrans_notifications')
      .values({
        order_id: String(notification.order_id).slice(0, 100),
        transaction_status:
          typeof notification.transaction_status === 'string' ? notification.transaction_status : null,
        signature_valid: valid,
        outcome,
        raw: JSON.stringify(notification),
      })
      .execute();
  }
}
