import { sql } from 'kysely';

// System accounts have no owner; the identity index coalesces NULL to this (see 0003_ledger.sql).
export const NO_OWNER = sql.lit('00000000-0000-0000-0000-000000000000');

/**
 * The account that row `w` (with kind, owner_id and currency) names, as the body of a
 * `CROSS JOIN LATERAL`: one probe of the accounts' identity index per wanted row. The
 * LIMIT keeps it so. Joined plainly, a batch of a thousand accounts was planned as a hash
 * join over the whole accounts table (three full scans per batch at 50,000 accounts,
 * growing with every wallet opened).
 */
export const accountNamedByW = sql`
  SELECT * FROM ledger_accounts x
  WHERE x.kind = w.kind AND x.currency = w.currency
    AND coalesce(x.owner_id, ${NO_OWNER}::uuid) = coalesce(w.owner_id, ${NO_OWNER}::uuid)
  LIMIT 1`;
