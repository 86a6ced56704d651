import { type Actor, authorize } from '../../platform/auth/policy.js';
import {
  decodeSequenceCursor,
  decodeTimeCursor,
  encodeSequenceCursor,
  encodeTimeCursor,
  pageOf,
} from '../../platform/db/keyset.js';
import { invalidField } from '../../platform/errors.js';
import { formatAmount, isSupportedCurrency } from '../../platform/money.js';
import { isUuid } from '../ledger/ledger.rules.js';
import type { LedgerService, WalletHold } from '../ledger/ledger.service.js';
import type { WalletsRepository } from './wallets.repository.js';
import {
  HOLD_STATE_OF_PAYOUT,
  PAYOUT_STATUS,
  type StatementLine,
  statementLine,
} from './wallets.statement.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type WalletTransaction = StatementLine & {
  /** The entry's place in the journal, as a string: later entries have larger numbers. */
  id: string;
  transaction_id: string;
  kind: string;
  amount: string;
  currency: string;
  balance_after: string;
  created_at: string;
};

export interface Payout {
  id: string;
  seller_id: string;
  amount: string;
  currency: string;
  status: 'pending' | 'paid' | 'canceled';
  created_at: string;
  /** When it was paid or canceled. */
  resolved_at: string | null;
}

export type PayoutStatus = Payout['status'];

const toPayout = (hold: WalletHold): Payout => ({
  id: hold.id,
  seller_id: hold.ownerId,
  amount: formatAmount(hold.amountMinor, hold.currency),
  currency: hold.currency,
  status: PAYOUT_STATUS[hold.state],
  created_at: hold.createdAt.toISOString(),
  resolved_at: hold.resolvedAt?.toISOString() ?? null,
});

const payoutCursor = (hold: WalletHold) => encodeTimeCursor({ createdAt: hold.cursorKey, id: hold.id });

/** Wallet statements and payout lists: the ledger's history, read through its service. */
export class WalletHistory {
  constructor(
    private readonly ledger: LedgerService,
    private readonly repo: WalletsRepository,
  ) {}

  /**
   * The caller's wallet entries, newest first, each with the posted balance after it.
   * @throws `validation_failed` (400) for an unsupported currency or a cursor we did not issue
   */
  async transactions(
    actor: Actor | undefined,
    query: { limit: number; cursor?: string; currency?: string },
  ): Promise<Page<WalletTransaction>> {
    const me = authorize(actor);
    const currency = query.currency?.toUpperCase();
    if (currency !== undefined && !isSupportedCurrency(currency)) {
      throw invalidField('currency', 'unsupported_currency', `currency ${query.currency} is not supported`);
    }
    const beforeSequence = query.cursor === undefined ? undefined : decodeSequenceCursor(query.cursor);
    const entries = await this.ledger.history.walletEntries(me.userId, {
      limit: query.limit,
      beforeSequence,
      currency,
    });
    const topUpRefs = entries
      .filter((e) => e.kind === 'top_up' && isUuid(e.reference))
      .map((e) => e.reference);
    const gatewayTopUps = await this.repo.topUpIdsOf(me.userId, topUpRefs);
    return pageOf(
      entries,
      query.limit,
      (entry): WalletTransaction => ({
        id: entry.sequence.toString(),
        transaction_id: entry.transactionId,
        kind: entry.kind,
        ...statementLine({ ...entry, isGatewayTopUp: gatewayTopUps.has(entry.reference) }),
        amount: formatAmount(entry.amountMinor, entry.currency),
        currency: entry.currency,
        balance_after: formatAmount(entry.postedBalanceAfterMinor, entry.currency),
        created_at: entry.createdAt.toISOString(),
      }),
      (entry) => encodeSequenceCursor(entry.sequence),
    );
  }

  /**
   * The calling seller's payouts, newest first.
   * @throws `role_not_allowed` (403), `validation_failed` (400) for a cursor we did not issue
   */
  async payouts(actor: Actor | undefined, query: { limit: number; cursor?: string }): Promise<Page<Payout>> {
    const seller = authorize(actor, { roles: ['seller'] });
    return this.listPayouts({ ...query, ownerId: seller.userId });
  }

  /**
   * Every seller's payouts for admins, newest first, optionally in one status.
   * @throws `role_not_allowed` (403), `validation_failed` (400) for a cursor we did not issue
   */
  async allPayouts(
    actor: Actor | undefined,
    query: { limit: number; cursor?: string; status?: PayoutStatus },
  ): Promise<Page<Payout>> {
    authorize(actor, { roles: ['admin'] });
    return this.listPayouts(query);
  }

  private async listPayouts(query: {
    limit: number;
    cursor?: string;
    status?: PayoutStatus;
    ownerId?: string;
  }): Promise<Page<Payout>> {
    const after = query.cursor === undefined ? undefined : decodeTimeCursor(query.cursor);
    const holds = await this.ledger.history.walletHolds('payout', {
      ownerId: query.ownerId,
      state: query.status && HOLD_STATE_OF_PAYOUT[query.status],
      limit: query.limit,
      after,
    });
    return pageOf(holds, query.limit, toPayout, payoutCursor);
  }
}
