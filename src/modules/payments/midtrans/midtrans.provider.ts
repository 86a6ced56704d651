import { invalidField } from '../../../platform/errors.js';
import type { AccountRef } from '../../ledger/ledger.service.js';
import type { Authorization, PaymentProvider } from '../payments.providers.js';
import type { OrderItemRow, PaymentRow } from '../payments.tables.js';
import type { MidtransClient } from '../../midtrans/midtrans.client.js';

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
      transaction_details: { order_id: payment.id, gross_amount: Number(payment.amount_minor) },
      item_details: items.map((item) => ({
        id: item.product_id,
        name: item.product_name.slice(0, 50),
        price: Number(item.unit_price_minor),
        quantity: item.quantity,
      })),
      customer_details: { customer_id: payment.buyer_id },
    });
    return { paymentUrl: snap.redirect_url, token: snap.token, providerReference: payment.id };
  }

  async refund(payment: PaymentRow, amountMinor: bigint, refundId: string, reason: string): Promise<void> {
    await this.client.refund(payment.id, { refund_key: refundId, amount: Number(amountMinor), reason });
  }
}
