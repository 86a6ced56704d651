-- Ledger accounts are permanent, as in most ledgers: the application never deletes one or
-- changes its id, and the database now refuses both outright, with or without entries.
--
-- What that buys: 0026's per-statement check that new entries name existing accounts took
-- KEY SHARE on every account a statement touched, only so that a concurrent delete of an
-- account with no committed entries yet would wait. That lock wrote every account row it
-- touched (and, with two postings in flight on one account, a multixact for it): on the
-- platform's own accounts, credited by every sale, and on the 1,001 accounts of a batch of
-- top-ups. With deletes refused, an account that exists when the check runs exists for good,
-- and the check only looks.
CREATE OR REPLACE FUNCTION ledger_accounts_keep_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger accounts are permanent: % of % refused', TG_OP, OLD.id
    USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE OR REPLACE FUNCTION ledger_entries_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- One primary-key probe per distinct id (see 0034).
  IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT account_id FROM added) e
    LEFT JOIN LATERAL (SELECT 1 AS found FROM ledger_accounts a WHERE a.id = e.account_id LIMIT 1) f ON true
    WHERE f.found IS NULL
  ) THEN
    RAISE EXCEPTION 'a ledger entry names an account that does not exist'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT transaction_id FROM added) e
    LEFT JOIN LATERAL (SELECT 1 AS found FROM ledger_transactions t WHERE t.id = e.transaction_id LIMIT 1) f ON true
    WHERE f.found IS NULL
  ) THEN
    RAISE EXCEPTION 'a ledger entry names a transaction that does not exist'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$;

-- Shard rows are rewritten by nearly every posting (each sale credits a shard of the fee
-- account and of the seller's wallet; each batch, one shard of every account it credits).
-- Room on their page keeps the new version there (a HOT update: no new entry in the primary
-- key), as 0026 did for ledger_accounts. Pages written from now on keep half free.
ALTER TABLE ledger_account_shards SET (fillfactor = 50);
