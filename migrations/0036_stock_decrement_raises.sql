-- A checkout's stock decrement is its last statement, and it is sent without waiting for its
-- answer: COMMIT follows it in the same round trip (src/platform/db/send-ahead.ts), so the
-- hot product row is locked for the commit alone, not for a round trip to the server and
-- back. A decrement that matched no row (sold out, deleted, repriced meanwhile) must then
-- fail the transaction itself instead of answering "no row" to a server that has already
-- sent COMMIT. The decrement's statement passes whether it took a row through this check,
-- which raises stock_not_taken (SQLSTATE MK409) naming the line; the server then reads why.
CREATE OR REPLACE FUNCTION require_stock_taken(taken boolean, line text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT taken THEN
    RAISE EXCEPTION 'stock_not_taken' USING ERRCODE = 'MK409', DETAIL = line;
  END IF;
  RETURN true;
END;
$$;
