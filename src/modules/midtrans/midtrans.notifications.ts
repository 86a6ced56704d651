import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { unauthenticated } from '../../platform/errors.js';
import type { MidtransClient } from './midtrans.client.js';
import type { GatewayOrders } from './midtrans.orders.js';
import { MidtransRepository } from './midtrans.repository.js';
import { grossAmountMatches, isValidSignature, targetStatus, utf8Prefix } from './midtrans.rules.js';
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
  /** The notification as received; null for a forged one. */
  raw: unknown;
  /** The first KB of a forged notification; null for a genuine one. */
  raw_sample: string | null;
  received_at: string;
}

export interface ForgedNotifications {
  /** Every forged notification since the count began, kept or not. */
  total: number;
  last_received_at: string | null;
  /** How many of the newest keep a sample. */
  samples_kept: number;
}

/** Outcomes that need a person: the gateway and we disagree about the money. */
export const HELD_FOR_REVIEW = 'held_for_review';
const MAX_LISTED = 100;
/** Forged notifications cost anyone nothing to send: each keeps this much, and only the newest few. */
export const FORGED_SAMPLE_BYTES = 1024;
export const FORGED_SAMPLES_KEPT = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const stored = (row: MidtransNotificationRow): StoredNotification => ({
  id: row.id,
  order_id: row.order_id,
  transaction_status: row.transaction_status,
  signature_valid: row.signature_valid,
  outcome: row.outcome,
  raw: typeof row.raw === 'string' ? JSON.parse(row.raw) : row.raw,
  raw_sample: row.raw_sample,
  received_at: new Date(row.received_at).toISOString(),
});

/**
 * Midtrans's HTTP notifications. A notification is only a hint: after its signature is
 * checked, the status is confirmed with Midtrans's status API and applied to whichever
 * order it pays (a payment or a wallet top-up) through that order's state machine, so
 * duplicates, replays, late and out-of-order deliveries change nothing they should not.
 * Every genuine notification is stored with what was made of it; forged ones are counted,
 * and only the newest keep a short sample, so a flood of them cannot fill the database.
 */
export class MidtransNotifications {
  private readonly repo: MidtransRepository;

  constructor(
    private readonly db: Kysely<object>,
    private readonly client: MidtransClient,
    private readonly serverKey: string,
    private readonly orders: readonly GatewayOrders[],
    private readonly logger: Logger,
  ) {
    this.repo = MidtransRepository.of(db);
  }

  /** @throws `invalid_signature` (401) for a forged notification, which changes nothing. */
  async receive(notification: MidtransNotification): Promise<string> {
    if (!isValidSignature(notification, this.serverKey)) {
      await this.recordForged(notification);
      throw unauthenticated('invalid_signature', 'the notification signature is not valid');
    }
    const outcome = await this.apply(notification.order_id);
    await this.record(notification, outcome);
    return outcome;
  }

  /**
   * Stored notifications, newest first (`outcome: 'held_for_review'` lists what needs a
   * person, `rejected_signature` the forgeries kept), and the count of every forgery. Admins only.
   */
  async list(
    actor: Actor | undefined,
    filter: { outcome?: string; orderId?: string; limit?: number },
  ): Promise<{ notifications: StoredNotification[]; forged: ForgedNotifications }> {
    authorize(actor, { roles: ['admin'] });
    const rows = await this.repo.listNotifications({
      outcome: filter.outcome,
      orderId: filter.orderId,
      limit: Math.min(filter.limit ?? MAX_LISTED, MAX_LISTED),
    });
    const count = await this.repo.forgedCount();
    return {
      notifications: rows.map(stored),
      forged: {
        total: count.total,
        last_received_at: count.lastReceivedAt ? new Date(count.lastReceivedAt).toISOString() : null,
        samples_kept: FORGED_SAMPLES_KEPT,
      },
    };
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

  private async record(notification: MidtransNotification, outcome: string) {
    await this.repo.insertNotification({
      orderId: notification.order_id.slice(0, 100),
      transactionStatus: notification.transaction_status,
      signatureValid: true,
      outcome,
      raw: JSON.stringify(notification),
      rawSample: null,
    });
  }

  /**
   * Counts a forgery and keeps a sample of it, then drops all samples but the newest. The
   * count's row lock is taken first, so concurrent forgeries prune one after another and
   * never leave more than FORGED_SAMPLES_KEPT behind.
   */
  private async recordForged(notification: MidtransNotification) {
    await this.db.transaction().execute(async (trx) => {
      const repo = MidtransRepository.in(trx);
      await repo.countForged();
      await repo.insertNotification({
        // Nothing of a forgery is trusted to be short: the route's limits may change.
        orderId: utf8Prefix(String(notification.order_id), 100),
        transactionStatus: utf8Prefix(String(notification.transaction_status), 100),
        signatureValid: false,
        outcome: 'rejected_signature',
        raw: null,
        rawSample: utf8Prefix(JSON.stringify(notification), FORGED_SAMPLE_BYTES),
      });
      await repo.pruneForged(FORGED_SAMPLES_KEPT);
    });
  }
}
