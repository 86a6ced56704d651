-- The per-statement check that new entries name existing accounts and transactions (0026,
-- 0034, 0035) read its transition table three times: once per DISTINCT, each a hash of
-- every inserted row, then one LATERAL subquery per distinct id. It now reads the table
-- once, collecting both sets of distinct ids, and counts how many of each the primary keys
-- find: the ids are distinct and the keys unique, so every id exists exactly when the count
-- equals the number of ids. A batch of 1,000 transactions × 2 entries spent 4.1 ms in the
-- check before and 3.5 ms after (EXPLAIN ANALYZE of the batch's insert).
--
-- The arrays are handed to `= ANY` through ARRAY(SELECT unnest(…)), as in 0034: an array
-- the planner cannot size keeps it probing the index instead of scanning the table.
CREATE OR REPLACE FUNCTION ledger_entries_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  accounts uuid[];
  transactions uuid[];
BEGIN
  SELECT coalesce(array_agg(DISTINCT account_id), '{}'), coalesce(array_agg(DISTINCT transaction_id), '{}')
    INTO accounts, transactions FROM added;
  IF (SELECT count(*) FROM ledger_accounts a WHERE a.id = ANY (ARRAY(SELECT unnest(accounts))))
     <> cardinality(accounts) THEN
    RAISE EXCEPTION 'a ledger entry names an account that does not exist'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF (SELECT count(*) FROM ledger_transactions t WHERE t.id = ANY (ARRAY(SELECT unnest(transactions))))
     <> cardinality(transactions) THEN
    RAISE EXCEPTION 'a ledger entry names a transaction that does not exist'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$;
