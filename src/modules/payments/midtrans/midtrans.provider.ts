import { invalidField } from '../../../platform/errors.js';
import { gatewayAmount } from '../../../platform/money.js';
import type { AccountRef } from '../../ledger/ledger.service.js';
import type {
  Authorization,
  GatewayRefundOutcome,
  GatewayRefundRequest,
  PaymentProvider,
} from '../payments.providers.js';
import type { OrderItemRow, PaymentRow } from '../payments.tables.js';
import type { MidtransClient, MidtransStatus } from '../../midtrans/midtrans.client.js';
import { rupiahOf } from '../../midtrans/midtrans.rules.js';

/**
 * Payment through Midtrans Snap: the checkout commits a pending payment holding its stock,
 * then asks Midtrans for a Snap transaction (never inside the database transaction: a slow
 * gateway must not hold row locks). Midtrans settles it later by notification.
 */
export class MidtransProvider implements PaymentProvider {
  readonly method = 'midtrans';

  constructor(
    private readonly client: MidtransClient,
    private readonly expiryMs: number,
    /** The web app's origin: Snap sends the buyer back to the order's page there. */
    private readonly appUrl?: string,
  ) {}

  payerAccount(_buyerId: string, currency: string): AccountRef {
    return { kind: 'gateway_clearing', currency };
  }

  async authorize(context: { currency: string }): Promise<Authorization> {
    // Snap charges whole rupiah; other currencies would need conversion we do not do.
    if (context.currency !== 'IDR') {
      throw invalidField('payment_method', 'currency_not_supported', 'midtrans accepts IDR prices only');
    }
    return { status: 'pending', expiresAt: new Date(Date.now() + this.expiryMs) };
  }

  async afterCommit(payment: PaymentRow, items: readonly OrderItemRow[]) {
    const snap = await this.client.createSnap({
      transaction_details: { order_id: payment.id, gross_amount: gatewayAmount(payment.amount_minor) },
      item_details: itemDetailsOf(payment, items),
      customer_details: { customer_id: payment.buyer_id },
      ...(this.appUrl
        ? { callbacks: { finish: `${this.appUrl.replace(/\/+$/, '')}/account/orders/${payment.order_id}` } }
        : {}),
    });
    return { paymentUrl: snap.redirect_url, token: snap.token, providerReference: payment.id };
  }

  async refund(payment: PaymentRow, request: GatewayRefundRequest): Promise<GatewayRefundOutcome> {
    const answer = await this.client.refund(payment.id, {
      refund_key: request.refundKey,
      amount: gatewayAmount(request.amountMinor),
      reason: request.reason,
    });
    if (answer.kind === 'approved') return { status: 'succeeded' };
    if (answer.kind === 'refused') {
      return { status: 'failed', code: `gateway_refused_${answer.statusCode}`, message: answer.message };
    }
    return { status: 'unknown', message: answer.message };
  }

  async refundStatus(
    payment: PaymentRow,
    refundKey: string,
  ): Promise<GatewayRefundOutcome | { status: 'absent' }> {
    let status: MidtransStatus;
    try {
      status = await this.client.status(payment.id);
    } catch (error) {
      return { status: 'unknown', message: error instanceof Error ? error.message : String(error) };
    }
    const known = (status.refunds ?? []).some((refund) => refund.refund_key === refundKey);
    return known ? { status: 'succeeded' } : { status: 'absent' };
  }

  async refundedByGateway(payment: PaymentRow): Promise<bigint | undefined> {
    const status = await this.client.status(payment.id).catch(() => undefined);
    if (!status) return undefined;
    return status.refund_amount === undefined ? 0n : rupiahOf(status.refund_amount);
  }
}

/**
 * The order's lines as Midtrans lists them; their sum must equal the gross amount, so a
 * priced order's shipping, added tax and discounts go in one more line (negative when the
 * discounts are larger, as Midtrans takes discount lines).
 */
function itemDetailsOf(payment: PaymentRow, items: readonly OrderItemRow[]) {
  const details = items.map((item) => ({
    // A variant's SKU is what a merchant's Midtrans report should name.
    id: item.variant_sku ?? item.product_id,
    name: item.product_name.slice(0, 50),
    price: gatewayAmount(item.unit_price_minor),
    quantity: item.quantity,
  }));
  const goods = items.reduce((sum, item) => sum + item.subtotal_minor, 0n);
  const difference = payment.amount_minor - goods;
  if (difference !== 0n) {
    details.push({
      id: 'adjustments',
      name: 'Shipping, tax and discounts',
      price: difference > 0n ? gatewayAmount(difference) : -gatewayAmount(-difference),
      quantity: 1,
    });
  }
  return details;
}
