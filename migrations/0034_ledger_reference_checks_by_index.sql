-- The per-statement check that every new entry names an existing account and transaction
-- (0026) looked them up with NOT EXISTS, which the planner may answer by hashing the whole
-- table: with a batch's thousand transaction ids against a ledger of tens of thousands of
-- transactions it read every row of ledger_transactions on every insert, a cost that grows
-- with the ledger. Each id is now looked up by its primary key (a LATERAL with LIMIT is
-- never flattened into a join), so the check costs one index probe per distinct id,
-- whatever the size of the tables.
CREATE OR REPLACE FUNCTION ledger_entries_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- KEY SHARE, as a foreign key takes: a concurrent delete of one of these accounts waits
  -- for this transaction, then finds its entries and is refused.
  PERFORM 1 FROM ledger_accounts a
    WHERE a.id = ANY (ARRAY(SELECT DISTINCT account_id FROM added)) FOR KEY SHARE OF a;
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
