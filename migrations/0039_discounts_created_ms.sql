-- Discounts apply in quote order: the platform's first, then the oldest, then by id. The
-- database chose which automatic discounts a quote considers by created_at to the
-- microsecond, and the rules (compareForQuote) then ordered them by a JavaScript Date, to
-- the millisecond, so two discounts created within one millisecond could be taken in one
-- order and applied in the other. Stored to the millisecond, both orders are the same.
ALTER TABLE discounts ALTER COLUMN created_at TYPE timestamptz(3);
