import type { Kysely, Transaction } from 'kysely';

/**
 * Runs `read` in one read-only, repeatable-read transaction. Every statement in it sees the
 * database as of its first statement, so checks that compare several tables (a payment and
 * its refunds, the ledger's entries and its counters) can never catch a concurrent write
 * half-done and report a violation that is not there; read-only makes the database refuse
 * a write by mistake. Keep such a transaction short and never wait on the network in it:
 * on PGlite it holds the only connection, and on PostgreSQL an old snapshot holds back
 * vacuum.
 */
export function inReadSnapshot<T>(
  db: Kysely<object>,
  read: (snapshot: Transaction<object>) => Promise<T>,
): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
}
