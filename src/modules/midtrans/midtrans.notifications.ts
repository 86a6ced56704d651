import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { unauthenticated } from '../../platform/errors.js';
import type { MidtransClient } from './midtrans.client.js';
import type { GatewayOrders } from './midtrans.orders.js';
import type { MidtransRepository } from './midtrans.repository.js';
import { grossAmountMatches, isValidSignature, targetStatus } from './midtrans.rules.js';
import type { MidtransNotificationRow } from './midtrans.tables.js';

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

export interface StoredNotification {
  id: string;
  order_id: string;
  transaction_status: string | null;
  signature_valid: boolean;
  outcome: string;
  raw: unknown;
  received_at: string;
}

/** Outcomes that need a person: the gateway and we disagree about the money. */
export const HELD_FOR_REVIEW = 'held_for_review';
const MAX_LISTED = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const stored = (row: MidtransNotificationRow): StoredNotification => ({
  id: row.id,
  order_id: row.order_id,
  transaction_status: row.transaction_status,
  signature_valid: row.signature_valid,
  outcome: row.outcome,
  raw: typeof row.raw === 'string' ? JSON.parse(row.raw) : row.raw,
  received_at: new Date(row.received_at).toISOString(),
});

/**
 * Midtrans's HTTP notifications. A notification is only a hint: after its signature is
 * checked, the status is confirmed with Midtrans's status API and applied to whichever
 * order it pays (a payment or a wallet top-up) through that order's state machine, so
 * duplicates, replays, late and out-of-order deliveries change nothing they should not.
 * Every notification is stored with what was made of it.
 */
export class MidtransNotifications {
  constructor(
    private readonly repo: MidtransRepository,
    private readonly client: MidtransClient,
    private readonly serverKey: string,
    private readonly orders: readonly GatewayOrders[],
    private readonly logger: Logger,
  ) {}

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

  /** Stored notifications, newest first; `outcome: 'held_for_review'` lists what needs a person. Admins only. */
  async list(actor: Actor | undefined, filter: { outcome?: string; orderId?: string; limit?: number }) {
    authorize(actor, { roles: ['admin'] });
    const rows = await this.repo.listNotifications({
      outcome: filter.outcome,
      orderId: filter.orderId,
      limit: Math.min(filter.limit ?? MAX_LISTED, MAX_LISTED),
    });
    return rows.map(stored);
  }

  private async apply(orderId: string): Promise<string> {
    if (!UUID.test(orderId)) return 'unknown_order';
    const confirmed = await this.client.status(orderId);
    for (const orders of this.orders) {
      const order = await orders.find(orderId);
      if (!order) continue;
      const sameMoney =
        grossAmountMatches(confirmed.gross_amount, order.amountMinor) &&
        (confirmed.currency ?? 'IDR') === order.currency;
      if (!sameMoney) {
        this.logger.warn(
          { orderId, kind: orders.kind, gross: confirmed.gross_amount, currency: confirmed.currency },
          'Midtrans amount differs from ours; held for review',
        );
        return HELD_FOR_REVIEW;
      }
      const target = targetStatus(confirmed.transaction_status, confirmed.fraud_status);
      if (target === 'ignore') return `ignored_${confirmed.transaction_status}`;
      return orders.apply(orderId, target);
    }
    return 'unknown_order';
  }

  private async record(notification: MidtransNotification, valid: boolean, outcome: string) {
    // Forged notifications are kept too, so no field is trusted to be a short string.
    await this.repo.insertNotification({
      orderId: String(notification.order_id).slice(0, 100),
      transactionStatus:
        typeof notification.transaction_status === 'string' ? notification.transaction_status : null,
      signatureValid: valid,
      outcome,
      raw: JSON.stringify(notification),
    });
  }
}
