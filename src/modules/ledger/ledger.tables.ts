import type { Generated, GeneratedAlways, Selectable } from 'kysely';
import type { AccountKind, Direction, TransactionStatus } from './ledger.rules.js';

export interface LedgerAccountsTable {
  id: Generated<string>;
  kind: AccountKind;
  owner_id: string | null;
  currency: string;
  no_overdraft: boolean;
  posted_debits: Generated<bigint>;
  posted_credits: Generated<bigint>;
  pending_debits: Generated<bigint>;
  pending_credits: Generated<bigint>;
  created_at: Generated<Date>;
}

/** Parts of hot accounts' counters (ledger.shards.ts): an account's balance is its row plus these. */
export interface LedgerAccountShardsTable {
  account_id: string;
  shard: number;
  posted_debits: Generated<bigint>;
  posted_credits: Generated<bigint>;
  pending_debits: Generated<bigint>;
  pending_credits: Generated<bigint>;
}

export interface LedgerTransactionsTable {
  id: Generated<string>;
  kind: string;
  reference: string;
  currency: string;
  status: TransactionStatus;
  pending_id: string | null;
  resolved_at: Date | null;
  created_at: Generated<Date>;
}

/** Append-only: the database refuses UPDATE and DELETE. */
export interface LedgerEntriesTable {
  id: GeneratedAlways<bigint>;
  transaction_id: string;
  account_id: string;
  direction: Direction;
  amount: bigint;
  created_at: Generated<Date>;
}

/** The tables the ledger module owns. */
export interface LedgerTables {
  ledger_accounts: LedgerAccountsTable;
  ledger_account_shards: LedgerAccountShardsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
}

export type LedgerAccountRow = Selectable<LedgerAccountsTable>;
export type LedgerTransactionRow = Selectable<LedgerTransactionsTable>;
