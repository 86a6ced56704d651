import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { KeyRing } from './keyring.js';

/** A blind index kept beside an encrypted column: an HMAC of its normalised plaintext. */
export interface BlindIndexColumn {
  /** The column holding the index. */
  column: string;
  /** The encrypted column it indexes. */
  of: string;
  /** The `purpose` given to `KeyRing.blindIndex`. */
  purpose: string;
  normalize: (plaintext: string) => string;
}

/**
 * A table's encrypted columns, as the module owning the table declares them, so that one
 * generic job can rotate every column of every module without knowing their rules.
 */
export interface EncryptedColumns {
  table: string;
  /** The primary key column(s); the encryption context names the row by their values. */
  key: readonly string[];
  columns: readonly string[];
  blindIndexes?: readonly BlindIndexColumn[];
}

/**
 * The encryption context of one field: `<table>.<column>:<primary key>`, the key's parts
 * joined by `/`. Bound into the ciphertext, so a value copied to another row or column
 * does not decrypt; and derivable from the row alone, so rotation needs nothing else.
 */
export const fieldContext = (table: string, column: string, key: string | readonly string[]): string =>
  `${table}.${column}:${typeof key === 'string' ? key : key.join('/')}`;

export interface ReencryptOptions {
  /** Rows rewritten per transaction (each transaction is short and locks only its batch). */
  batchSize?: number;
  /** Only values written before encryption (plaintext); leaves every ciphertext alone. */
  onlyLegacy?: boolean;
  /** Stops between batches (the server is shutting down); what was done stays done. */
  signal?: AbortSignal;
}

export interface ReencryptedCount {
  table: string;
  column: string;
  rows: number;
}

const DEFAULT_BATCH = 500;
const MAX_BATCH = 10_000;
/** A batch that finds only rows other writers hold locked waits this long before looking again. */
const LOCKED_RETRY_MS = 50;
const MAX_LOCKED_RETRIES = 200;

/**
 * Rewrites every value of the given columns that is not under the ring's active key
 * (older keys and legacy plaintext) under the active key, and fills missing blind
 * indexes, while the servers keep running: batch by batch, each in one short transaction
 * that takes its rows with FOR UPDATE SKIP LOCKED, so a concurrent writer is never
 * overwritten with stale data (its row is skipped now and taken by a later batch).
 * @throws DecryptionError when a value cannot be opened (a key missing from the ring):
 * nothing is lost, the rows done so far stay done.
 */
export async function reencrypt(
  db: Kysely<object>,
  ring: KeyRing,
  specs: readonly EncryptedColumns[],
  options: ReencryptOptions = {},
): Promise<ReencryptedCount[]> {
  const batchSize = Math.min(Math.max(options.batchSize ?? DEFAULT_BATCH, 1), MAX_BATCH);
  const counts: ReencryptedCount[] = [];
  for (const spec of specs) {
    for (const column of spec.columns) {
      let rows = 0;
      for (let idle = 0; !options.signal?.aborted;) {
        const done = await db
          .transaction()
          .execute((trx) => reencryptBatch(trx, ring, spec, column, batchSize, options.onlyLegacy ?? false));
        rows += done;
        if (done > 0) continue;
        // Nothing free: finished, unless rows remain that other transactions hold right now.
        if (!(await anyLeft(db, ring, spec, column, options.onlyLegacy ?? false))) break;
        if (++idle > MAX_LOCKED_RETRIES) break;
        await new Promise((resolve) => setTimeout(resolve, LOCKED_RETRY_MS));
      }
      counts.push({ table: spec.table, column, rows });
    }
  }
  return counts;
}

/** The WHERE of the rows of `column` that need rewriting. */
function staleCondition(
  ring: KeyRing,
  spec: EncryptedColumns,
  column: string,
  onlyLegacy: boolean,
): RawBuilder<boolean> {
  const ref = sql.ref(column);
  const prefix = ring.currentPrefix();
  const stale = onlyLegacy
    ? sql`${ref} NOT LIKE 'v1:%'`
    : // left() compares exactly: a LIKE pattern would read `_` in a key id as a wildcard.
      sql`left(${ref}, ${prefix.length}) <> ${prefix}`;
  const unindexed = (spec.blindIndexes ?? [])
    .filter((index) => index.of === column)
    .map((index) => sql`${sql.ref(index.column)} IS NULL`);
  return sql<boolean>`${ref} IS NOT NULL AND (${sql.join([stale, ...unindexed], sql` OR `)})`;
}

/** Whether any value of `column` still needs rewriting (`onlyLegacy`: plaintext, or no blind index). */
export async function anyLeft(
  db: Kysely<object>,
  ring: KeyRing,
  spec: EncryptedColumns,
  column: string,
  onlyLegacy: boolean,
): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM ${sql.table(spec.table)}
    WHERE ${staleCondition(ring, spec, column, onlyLegacy)} LIMIT 1`.execute(db);
  return rows.length > 0;
}

async function reencryptBatch(
  trx: Transaction<object>,
  ring: KeyRing,
  spec: EncryptedColumns,
  column: string,
  batchSize: number,
  onlyLegacy: boolean,
): Promise<number> {
  const keyColumns = spec.key.map((name, i) => sql`${sql.ref(name)}::text AS ${sql.id(`k${i}`)}`);
  const { rows } = await sql<Record<string, string>>`
    SELECT ${sql.join(keyColumns)}, ${sql.ref(column)} AS value
    FROM ${sql.table(spec.table)}
    WHERE ${staleCondition(ring, spec, column, onlyLegacy)}
    LIMIT ${batchSize}
    FOR UPDATE SKIP LOCKED`.execute(trx);
  const indexes = (spec.blindIndexes ?? []).filter((index) => index.of === column);
  for (const row of rows) {
    const key = spec.key.map((_, i) => row[`k${i}`]!);
    const context = fieldContext(spec.table, column, key);
    const plaintext = ring.open(row.value!, context);
    const sets = [
      sql`${sql.ref(column)} = ${ring.encrypt(plaintext, context)}`,
      ...indexes.map(
        (index) =>
          sql`${sql.ref(index.column)} = ${ring.blindIndex(index.normalize(plaintext), index.purpose)}`,
      ),
    ];
    const match = spec.key.map((name, i) => sql`${sql.ref(name)} = ${key[i]}`);
    await sql`UPDATE ${sql.table(spec.table)} SET ${sql.join(sets)}
      WHERE ${sql.join(match, sql` AND `)}`.execute(trx);
  }
  return rows.length;
}

export interface KeyUsage {
  table: string;
  column: string;
  /** The key id the values are under, or `plaintext` for values written before encryption. */
  keyId: string;
  rows: number;
}

/** How many values of each column are under each key id (what `mamlaka keys status` prints). */
export async function keyUsage(db: Kysely<object>, specs: readonly EncryptedColumns[]): Promise<KeyUsage[]> {
  const usage: KeyUsage[] = [];
  for (const spec of specs) {
    for (const column of spec.columns) {
      const ref = sql.ref(column);
      const { rows } = await sql<{ key_id: string; n: string | number | bigint }>`
        SELECT CASE WHEN ${ref} LIKE 'v1:%' THEN split_part(${ref}, ':', 2) ELSE 'plaintext' END AS key_id,
          count(*) AS n
        FROM ${sql.table(spec.table)} WHERE ${ref} IS NOT NULL GROUP BY 1 ORDER BY 1`.execute(db);
      for (const row of rows)
        usage.push({ table: spec.table, column, keyId: row.key_id, rows: Number(row.n) });
    }
  }
  return usage;
}
