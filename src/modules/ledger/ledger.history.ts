import type { Kysely } from 'kysely';
import { LedgerHistoryRepository } from './ledger.history.repository.js';
import { type HoldState, holdStateOf, isUuid } from './ledger.rules.js';

/** Most rows one history call returns; callers page with a cursor. */
export const MAX_HISTORY_PAGE = 100;

/** One entry of a user's wallet, with what it belongs to. */
export interface WalletEntry {
  /** The entry's place in the journal: later entries have larger numbers (a keyset). */
  sequence: bigint;
  transactionId: string;
  /** What the money moved for: 'top_up', 'purchase', 'refund', 'payout'… */
  kind: string;
  /** The poster's reference (a payment id, a refund id…); for a settlement, its hold's. */
  reference: string;
  /** A hold's id when this entry settles it. */
  settles: string | null;
  currency: string;
  /** Credits positive, debits negative. */
  amountMinor: bigint;
  /**
   * Undefined for an entry that moved the balance. For a hold's entry (it reserved or
   * promised money and moved nothing), the hold's state: 'pending'; 'posted' (settled: the
   * settlement is an entry of its own); 'voided' (released).
   */
  hold: HoldState | undefined;
  /** The wallet's posted balance after this entry (a hold's entry leaves it unchanged). */
  postedBalanceAfterMinor: bigint;
  createdAt: Date;
}

/** A hold debiting a wallet (a payout): what it holds, and what became of it. */
export interface WalletHold {
  id: string;
  ownerId: string;
  currency: string;
  amountMinor: bigint;
  state: HoldState;
  resolvedAt: Date | null;
  createdAt: Date;
  /** Opaque keyset position, for the caller's cursor. */
  cursorKey: string;
}

/**
 * The ledger's read side for people: a wallet's statement and the holds on wallets. Reads
 * only, no transaction needed: each call is one statement, so one consistent snapshot.
 */
export class LedgerHistory {
  private readonly repo: LedgerHistoryRepository;

  constructor(db: Kysely<object>) {
    this.repo = new LedgerHistoryRepository(db);
  }

  /**
   * A page of the entries of `ownerId`'s wallets, newest first: `limit` (1 to
   * MAX_HISTORY_PAGE) entries and one more when there are more (the caller's "has more").
   */
  async walletEntries(
    ownerId: string,
    options: { limit: number; beforeSequence?: bigint; currency?: string },
  ): Promise<WalletEntry[]> {
    if (!isUuid(ownerId)) return [];
    const limit = Math.min(Math.max(options.limit, 1), MAX_HISTORY_PAGE);
    const rows = await this.repo.walletEntries(ownerId, { ...options, limit });
    return rows.map((row) => ({
      sequence: BigInt(row.sequence),
      transactionId: row.transaction_id,
      kind: row.kind,
      reference: row.hold_reference ?? row.reference,
      settles: row.pending_id,
      currency: row.account_currency,
      amountMinor: row.direction === 'credit' ? row.amount : -row.amount,
      hold: holdStateOf({ status: row.status, resolvedAt: row.resolved_at }),
      postedBalanceAfterMinor: row.posted_after,
      createdAt: row.created_at,
    }));
  }

  /**
   * A page of the holds of `kind` on wallets (payouts), newest first, of one owner or of
   * all, optionally in one state: `limit` (1 to MAX_HISTORY_PAGE) and one more when there are more.
   */
  async walletHolds(
    kind: string,
    filter: {
      ownerId?: string;
      state?: HoldState;
      limit: number;
      after?: { createdAt: string; id: string };
    },
  ): Promise<WalletHold[]> {
    if (filter.ownerId !== undefined && !isUuid(filter.ownerId)) return [];
    const limit = Math.min(Math.max(filter.limit, 1), MAX_HISTORY_PAGE);
    const rows = await this.repo.walletHolds(kind, { ...filter, limit });
    return rows.map((row) => ({
      id: row.id,
      ownerId: row.owner_id,
      currency: row.currency,
      amountMinor: row.amount,
      state: holdStateOf({ status: row.status, resolvedAt: row.resolved_at }) ?? 'pending',
      resolvedAt: row.resolved_at,
      createdAt: row.created_at,
      cursorKey: row.cursor_key,
    }));
  }
}
