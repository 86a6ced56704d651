-- Ledger writes in bulk (LedgerService.postBatch: thousands of entries per statement) with
-- the same guarantees as before, paid once per statement instead of once per row, and no
-- index kept that no query needs.

-- An entry's transaction and account must exist. As foreign keys, that was one query per
-- entry and key: about a fifth of a batch's insert. Now one check per statement over all
-- the rows it inserted. What a foreign key also prevented, the row it points at deleted or
-- given another id, is refused outright: a transaction never is (see
-- ledger_transactions_resolve_only), and an account with entries never is (below).
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_transaction_id_fkey;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_account_id_fkey;

CREATE FUNCTION ledger_entries_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- KEY SHARE, as a foreign key takes: a concurrent delete of one of these accounts waits
  -- for this transaction, then finds its entries and is refused.
  PERFORM 1 FROM ledger_accounts a
    WHERE a.id IN (SELECT DISTINCT account_id FROM added) FOR KEY SHARE OF a;
  IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT account_id FROM added) e
    WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = e.account_id)
  ) THEN
    RAISE EXCEPTION 'a ledger entry names an account that does not exist'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT transaction_id FROM added) e
    WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = e.transaction_id)
  ) THEN
    RAISE EXCEPTION 'a ledger entry names a transaction that does not exist'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER ledger_entries_references_exist
  AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_references_exist();

CREATE FUNCTION ledger_accounts_keep_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ledger_entries WHERE account_id = OLD.id) THEN
    RAISE EXCEPTION 'ledger account % has entries: % refused', OLD.id, TG_OP
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER ledger_accounts_keep_referenced_delete
  BEFORE DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_accounts_keep_referenced();
-- Only when the id really changes: balance updates never name it, so they never fire this.
CREATE TRIGGER ledger_accounts_keep_referenced_id
  BEFORE UPDATE OF id ON ledger_accounts
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ledger_accounts_keep_referenced();
CREATE FUNCTION ledger_accounts_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger accounts are never truncated' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER ledger_accounts_no_truncate
  BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_accounts_no_truncate();

-- Every posting rewrites its accounts' rows. Room on their page keeps the new version there
-- (a HOT update: no index entries, less WAL, no bloat of the account indexes). Pages written
-- from now on keep half of themselves free.
ALTER TABLE ledger_accounts SET (fillfactor = 50);

-- Entries by account: 0017's ledger_entries_account_id_idx (account_id, id DESC) answers
-- every lookup this one did.
DROP INDEX ledger_entries_account_idx;

-- Only holds are listed by kind and age (payouts, and their oldest-pending gauge; both
-- filter on status), so posted transactions, nearly all of them, need no entry here.
-- status IN ('pending', 'voided') implies pending_id IS NULL (a CHECK of 0003).
DROP INDEX ledger_transactions_kind_created_idx;
CREATE INDEX ledger_transactions_kind_created_idx
  ON ledger_transactions (kind, created_at DESC, id DESC) WHERE status IN ('pending', 'voided');
