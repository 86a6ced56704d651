import type { Generated, Selectable } from 'kysely';
import type { TopUpStatus } from './wallets.rules.js';

export interface WalletTopUpsTable {
  id: Generated<string>;
  user_id: string;
  method: string;
  amount_minor: bigint;
  currency: string;
  status: Generated<TopUpStatus>;
  failure_code: string | null;
  payment_url: string | null;
  token: string | null;
  ledger_transaction_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The tables the wallets module owns (balances themselves are ledger accounts). */
export interface WalletsTables {
  wallet_top_ups: WalletTopUpsTable;
}

export type TopUpRow = Selectable<WalletTopUpsTable>;
