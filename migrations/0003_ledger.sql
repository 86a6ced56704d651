-- The ledger: append-only double-entry bookkeeping in integer minor units.
--
-- Balances are four running counters per account, kept in step with the entries by the
-- ledger service inside the same transaction as the entries themselves; `mamlaka ledger
-- check` (LedgerService.check) proves they still equal the sums of the entries. The
-- counters exist so that a posting locks and checks one row per account instead of
-- summing its history, and so that the database itself can refuse an overdraft.
--
-- owner_id is an opaque id (a user's id for wallets): the ledger does not reference other
-- modules' tables, so it can move to its own database later.
CREATE TABLE ledger_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('user_wallet', 'platform_fees', 'gateway_clearing', 'payout_clearing')),
  owner_id uuid,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  no_overdraft boolean NOT NULL,
  posted_debits bigint NOT NULL DEFAULT 0 CHECK (posted_debits >= 0),
  posted_credits bigint NOT NULL DEFAULT 0 CHECK (posted_credits >= 0),
  pending_debits bigint NOT NULL DEFAULT 0 CHECK (pending_debits >= 0),
  pending_credits bigint NOT NULL DEFAULT 0 CHECK (pending_credits >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Wallets belong to someone and can never go negative; system accounts belong to no one.
  CONSTRAINT ledger_accounts_owner CHECK ((kind = 'user_wallet') = (owner_id IS NOT NULL)),
  CONSTRAINT ledger_accounts_wallet_no_overdraft CHECK (kind <> 'user_wallet' OR no_overdraft),
  -- The last line of defence under any concurrency: held debits count as spent, pending
  -- credits do not count as received until they are posted.
  CONSTRAINT ledger_accounts_no_overdraft CHECK (NOT no_overdraft OR posted_debits + pending_debits <= posted_credits)
);
-- One account per (kind, owner, currency); system accounts have no owner, and NULLs are
-- distinct in a plain unique index, hence the zero uuid. Account upserts name this
-- expression in ON CONFLICT, so it must stay exactly as written.
CREATE UNIQUE INDEX ledger_accounts_identity_key
  ON ledger_accounts (kind, (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)), currency);
CREATE INDEX ledger_accounts_owner_idx ON ledger_accounts (owner_id) WHERE owner_id IS NOT NULL;

-- A journal transaction. Postings are idempotent by (kind, reference). A hold is a
-- 'pending' transaction; it is resolved once, either by a new 'posted' transaction
-- pointing at it through pending_id (the settlement, possibly for less) or by becoming
-- 'voided'. Either way resolved_at is set, and nothing else about a transaction ever
-- changes (see the trigger below).
CREATE TABLE ledger_transactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 64),
  reference text NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 200),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL CHECK (status IN ('posted', 'pending', 'voided')),
  pending_id uuid REFERENCES ledger_transactions (id),
  resolved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ledger_transactions_reference_key UNIQUE (kind, reference),
  CHECK (pending_id IS NULL OR status = 'posted'),
  CHECK (resolved_at IS NULL OR status IN ('pending', 'voided')),
  CHECK (status <> 'voided' OR resolved_at IS NOT NULL)
);
-- A hold is settled at most once, whatever the code above does.
CREATE UNIQUE INDEX ledger_transactions_pending_key ON ledger_transactions (pending_id) WHERE pending_id IS NOT NULL;

-- Entries are never updated or deleted: a mistake is corrected by a reversing
-- transaction, so the journal is the full history of every balance.
CREATE TABLE ledger_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
  account_id uuid NOT NULL REFERENCES ledger_accounts (id),
  direction text NOT NULL CHECK (direction IN ('debit', 'credit')),
  amount bigint NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);

CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are append-only: % refused', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER ledger_entries_append_only
  BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
CREATE TRIGGER ledger_entries_no_truncate
  BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_append_only();

-- The one change a transaction may undergo: an unresolved hold gets resolved, staying
-- 'pending' (settled by another transaction) or becoming 'voided'.
CREATE FUNCTION ledger_transactions_resolve_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Nested, because OLD and NEW are not rows at all for DELETE and TRUNCATE.
  IF TG_OP = 'UPDATE' THEN
    IF OLD.status = 'pending' AND OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL
       AND NEW.status IN ('pending', 'voided')
       AND (NEW.id, NEW.kind, NEW.reference, NEW.currency, NEW.created_at)
           IS NOT DISTINCT FROM (OLD.id, OLD.kind, OLD.reference, OLD.currency, OLD.created_at)
       AND NEW.pending_id IS NOT DISTINCT FROM OLD.pending_id THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'a ledger transaction only changes when its hold is resolved, once: % refused', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER ledger_transactions_resolve_only
  BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_transactions_resolve_only();
CREATE TRIGGER ledger_transactions_no_truncate
  BEFORE TRUNCATE ON ledger_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_transactions_resolve_only();
