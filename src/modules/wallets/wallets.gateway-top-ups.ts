import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { invalidField, notFound } from '../../platform/errors.js';
import { formatAmount, gatewayAmount } from '../../platform/money.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { MidtransClient } from '../midtrans/midtrans.client.js';
import type { GatewayOrders, GatewayOutcome } from '../midtrans/midtrans.orders.js';
import { canMoveTopUp } from './wallets.rules.js';
import { WalletsRepository } from './wallets.repository.js';
import type { TopUpRow } from './wallets.tables.js';

export interface GatewayTopUp {
  id: string;
  kind: 'top_up';
  method: string;
  amount: string;
  currency: string;
  status: TopUpRow['status'];
  failure_code: string | null;
  payment_url: string | null;
  token: string | null;
  created_at: string;
  updated_at: string;
}

const publicTopUp = (row: TopUpRow): GatewayTopUp => ({
  id: row.id,
  kind: 'top_up',
  method: row.method,
  amount: formatAmount(BigInt(row.amount_minor), row.currency),
  currency: row.currency,
  status: row.status,
  failure_code: row.failure_code,
  payment_url: row.payment_url,
  token: row.token,
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

/**
 * Wallet top-ups paid through Midtrans. The top-up is written pending, then Snap is asked
 * for a payment page (outside any transaction, as at checkout); the wallet is credited
 * only when Midtrans's confirmed notification says the money arrived, by a ledger posting
 * whose reference is the top-up id, so a repeated notification cannot credit twice.
 */
export class GatewayTopUps implements GatewayOrders {
  readonly kind = 'top_up';

  constructor(
    /** Only to open transactions; the SQL is the repository's. */
    private readonly db: Kysely<object>,
    private readonly repo: WalletsRepository,
    private readonly ledger: LedgerService,
    private readonly client: MidtransClient,
    /** The web app's public origin: Snap sends the customer back to its wallet page. */
    private readonly appUrl?: string,
  ) {}

  /** @throws `currency_not_supported` (400), `gateway_unavailable` (503; the top-up is then failed). */
  async create(userId: string, currency: string, amountMinor: bigint): Promise<GatewayTopUp> {
    // Snap charges whole rupiah; other currencies would need a conversion we do not do.
    if (currency !== 'IDR') {
      throw invalidField('currency', 'currency_not_supported', 'midtrans accepts IDR top-ups only');
    }
    const topUp = await this.repo.insertTopUp({ userId, method: 'midtrans', amountMinor, currency });
    try {
      const snap = await this.client.createSnap({
        transaction_details: { order_id: topUp.id, gross_amount: gatewayAmount(amountMinor) },
        item_details: [
          { id: 'wallet-top-up', name: 'Wallet top-up', price: gatewayAmount(amountMinor), quantity: 1 },
        ],
        customer_details: { customer_id: userId },
        ...(this.appUrl
          ? { callbacks: { finish: `${this.appUrl.replace(/\/+$/, '')}/account/wallet` } }
          : {}),
      });
      const ready = await this.repo.setPaymentPage(topUp.id, {
        paymentUrl: snap.redirect_url,
        token: snap.token,
      });
      return publicTopUp(ready);
    } catch (error) {
      await this.repo.failIfPending(topUp.id, 'gateway_unavailable');
      throw error;
    }
  }

  /** The caller's own top-up (an admin's: anyone's). */
  async retrieve(actor: Actor | undefined, id: string): Promise<GatewayTopUp> {
    const me = authorize(actor);
    const row = await this.repo.findTopUp(id);
    if (!row) throw notFound('top_up');
    authorize(me, { object: { kind: 'top_up', ownerIds: [row.user_id] } });
    return publicTopUp(row);
  }

  async find(orderId: string) {
    const row = await this.repo.findTopUp(orderId);
    return row ? { amountMinor: BigInt(row.amount_minor), currency: row.currency } : undefined;
  }

  /** Idempotent; the row lock makes concurrent deliveries of one notification apply once. */
  async apply(orderId: string, outcome: GatewayOutcome): Promise<'applied' | 'duplicate' | 'ignored'> {
    // One transaction for the ledger posting and the top-up's new status: both or neither.
    return this.db.transaction().execute(async (trx) => {
      const repo = WalletsRepository.in(trx);
      const topUp = await repo.lockTopUp(orderId);
      if (!topUp) return 'ignored';
      if (topUp.status === outcome) return 'duplicate';
      if (!canMoveTopUp(topUp.status, outcome)) return 'ignored';
      let ledgerTransactionId: string | null = null;
      if (outcome === 'succeeded') {
        const amountMinor = BigInt(topUp.amount_minor);
        ({ transactionId: ledgerTransactionId } = await this.ledger.post(trx, {
          kind: 'top_up',
          reference: topUp.id,
          currency: topUp.currency,
          entries: [
            {
              account: { kind: 'gateway_clearing', currency: topUp.currency },
              direction: 'debit',
              amountMinor,
            },
            {
              account: { kind: 'user_wallet', ownerId: topUp.user_id, currency: topUp.currency },
              direction: 'credit',
              amountMinor,
            },
          ],
        }));
      }
      await repo.resolveTopUp(topUp.id, {
        status: outcome,
        ledgerTransactionId,
        failureCode: outcome === 'failed' ? 'gateway_declined' : null,
      });
      return 'applied';
    });
  }
}
