import { type Kysely, sql } from 'kysely';
import type { KeyRing } from './keyring.js';
import { anyLeft, type EncryptedColumns } from './reencrypt.js';

/**
 * The encrypted columns the database has seen plaintext written to and not yet seen
 * encrypted again (migration 0038 keeps the list): of `specs`, only those columns, and only
 * the blind indexes of those columns. Empty on a database with nothing left to encrypt,
 * which the start-up pass then does not read at all.
 */
export async function columnsWithPlaintext(
  db: Kysely<object>,
  specs: readonly EncryptedColumns[],
): Promise<EncryptedColumns[]> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM encryption_plaintext_seen`.execute(db);
  const seen = new Set(rows.map((row) => `${row.table_name}.${row.column_name}`));
  return specs.flatMap((spec) => {
    const columns = spec.columns.filter((column) => seen.has(`${spec.table}.${column}`));
    if (columns.length === 0) return [];
    const blindIndexes = spec.blindIndexes?.filter((index) => columns.includes(index.of));
    return [{ ...spec, columns, ...(blindIndexes ? { blindIndexes } : {}) }];
  });
}

/**
 * Takes `column` off the list when nothing in it needs encrypting any more, and says
 * whether it is off. The list's row is held while the column is read: a write of
 * plaintext that listed the column before has committed by then and is seen, and one
 * that lists it after waits for this transaction and lists it again.
 */
export async function forgetIfEncrypted(
  db: Kysely<object>,
  ring: KeyRing,
  spec: EncryptedColumns,
  column: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const where = sql`table_name = ${spec.table} AND column_name = ${column}`;
    const { rows } = await sql`SELECT 1 FROM encryption_plaintext_seen WHERE ${where} FOR UPDATE`.execute(
      trx,
    );
    if (rows.length === 0) return true;
    if (await anyLeft(trx, ring, spec, column, true)) return false;
    await sql`DELETE FROM encryption_plaintext_seen WHERE ${where}`.execute(trx);
    return true;
  });
}
