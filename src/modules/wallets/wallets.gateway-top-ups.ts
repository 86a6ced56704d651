import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { tablesOf } from '../../platform/db/database.js';
import { invalidField, notFound } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { MidtransClient } from '../midtrans/midtrans.client.js';
import type { GatewayOrders, GatewayOutcome } from '../midtrans/midtrans.orders.js';
import { canMoveTopUp } from './wallets.rules.js';
import type { TopUpRow, WalletsTables } from './wallets.tables.js';

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
  private readonly db: Kysely<WalletsTables>;

  constructor(
    private readonly rawDb: Kysely<object>,
    private readonly ledger: LedgerService,
    private readonly client: MidtransClient,
  ) {
    this.db = tablesOf<WalletsTables>(rawDb);
  }

  /** @throws `currency_not_supported` (400), `gateway_unavailable` (503; the top-up is then failed). */
  async create(userId: string, currency: string, amountMinor: bigint): Promise<GatewayTopUp> {
    // Snap charges whole rupiah; other currencies would need a conversion we do not do.
    if (currency !== 'IDR') {
      throw invalidField('currency', 'currency_not_supported', 'midtrans accepts IDR top-ups only');
    }
    const topUp = await this.db
      .insertInto('wallet_top_ups')
      .values({ user_id: userId, method: 'midtrans', amount_minor: amountMinor, currency })
      .returningAll()
      .executeTakeFirstOrThrow();
    try {
      const snap = await this.client.createSnap({
        transaction_details: { order_id: topUp.id, gross_amount: Number(amountMinor) },
        item_details: [
          { id: 'wallet-top-up', name: 'Wallet top-up', price: Number(amountMinor), quantity: 1 },
        ],
        customer_details: { customer_id: userId },
      });
      const ready = await this.db
        .updateTable('wallet_top_ups')
        .set({ payment_url: snap.redirect_url, token: snap.token, updated_at: new Date() })
        .where('id', '=', topUp.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return publicTopUp(ready);
    } catch (error) {
      await this.db
        .updateTable('wallet_top_ups')
        .set({ status: 'failed', failure_code: 'gateway_unavailable', updated_at: new Date() })
        .where('id', '=', topUp.id)
        .where('status', '=', 'pending')
        .execute();
      throw error;
    }
  }

  /** The caller's own top-up (an admin's: anyone's). */
  async retrieve(actor: Actor | undefined, id: string): Promise<GatewayTopUp> {
    const me = authorize(actor);
    const row = await this.db
      .selectFrom('wallet_top_ups')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('top_up');
    authorize(me, { object: { kind: 'top_up', ownerIds: [row.user_id] } });
    return publicTopUp(row);
  }

  async find(orderId: string) {
    const row = await this.db
      .selectFrom('wallet_top_ups')
      .select(['amount_minor', 'currency'])
      .where('id', '=', orderId)
      .executeTakeFirst();
    return row ? { amountMinor: BigInt(row.amount_minor), currency: row.currency } : undefined;
  }

  /** Idempotent; the row lock makes concurrent deliveries of one notification apply once. */
  async apply(orderId: string, outcome: GatewayOutcome): Promise<'applied' | 'duplicate' | 'ignored'> {
    // The ledger takes the untyped transaction; this module narrows it to its own tables.
    return this.rawDb.transaction().execute(async (ledgerTrx) => {
      const trx = tablesOf<WalletsTables>(ledgerTrx);
      const topUp = await trx
        .selectFrom('wallet_top_ups')
        .selectAll()
        .where('id', '=', orderId)
        .forUpdate()
        .executeTakeFirst();
      if (!topUp) return 'ignored';
      if (topUp.status === outcome) return 'duplicate';
      if (!canMoveTopUp(topUp.status, outcome)) return 'ignored';
      let ledgerTransactionId: string | null = null;
      if (outcome === 'succeeded') {
        const amountMinor = BigInt(topUp.amount_minor);
        ({ transactionId: ledgerTransactionId } = await this.ledger.post(ledgerTrx, {
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
      await trx
        .updateTable('wallet_top_ups')
        .set({
          status: outcome,
          ledger_transaction_id: ledgerTransactionId,
          failure_code: outcome === 'failed' ? 'gateway_declined' : null,
          updated_at: new Date(),
        })
        .where('id', '=', topUp.id)
        .execute();
      return 'applied';
    });
  }
}
