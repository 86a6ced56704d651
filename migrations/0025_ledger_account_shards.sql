-- Shard rows of ledger balances, so that postings which can only raise what the
-- no-overdraft rule protects (a sale's credit to a seller's wallet, anything on the
-- platform's own accounts) do not queue behind one account row.
--
-- The contract, which every reader and writer of balances keeps:
--   an account's counters = its ledger_accounts row + the sum of its shard rows.
-- A posted transaction whose entries on an account may all go to a shard (see
-- ledger.shards.ts) adds them to ONE of that account's shard rows, chosen by the
-- transaction's id, without locking the account's row. Everything else (debits of wallets,
-- holds and their release) locks the account row. Whoever locks an account row folds its
-- shards into it in the same transaction (ledger.shards.repository.ts): the shard rows are
-- locked, their counters added to the row and zeroed. So a locked row holds everything
-- committed (plus nothing in flight), and ledger_accounts_no_overdraft stays the database's
-- last line of defence: a wallet's shards only ever hold credits.
--
-- Shard rows only grow between folds, so their counters are never negative.
CREATE TABLE ledger_account_shards (
  account_id uuid NOT NULL REFERENCES ledger_accounts (id),
  shard smallint NOT NULL CHECK (shard BETWEEN 0 AND 63),
  posted_debits bigint NOT NULL DEFAULT 0 CHECK (posted_debits >= 0),
  posted_credits bigint NOT NULL DEFAULT 0 CHECK (posted_credits >= 0),
  pending_debits bigint NOT NULL DEFAULT 0 CHECK (pending_debits >= 0),
  pending_credits bigint NOT NULL DEFAULT 0 CHECK (pending_credits >= 0),
  PRIMARY KEY (account_id, shard)
);
