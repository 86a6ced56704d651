import { type CompiledQuery, type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { AccountKind, Balances, Direction, TransactionStatus } from './ledger.rules.js';
import {
  addToShards,
  completeAccounts,
  foldShards,
  type ShardChoice,
  withFolded,
} from './ledger.shards.repository.js';
import type { LedgerAccountRow, LedgerTables } from './ledger.tables.js';
import { accountNamedByW, NO_OWNER } from './ledger.account-lookup.js';
import { uuidArray } from '../../platform/db/array-parameter.js';

type Executor = Kysely<LedgerTables> | Transaction<LedgerTables>;

export interface WantedAccount {
  kind: AccountKind;
  ownerId: string | null;
  currency: string;
  noOverdraft: boolean;
  /** False: only resolve (or create) the account, without locking its row. Default true. */
  lock?: boolean;
}

export interface NewTransaction {
  id: string;
  kind: string;
  reference: string;
  currency: string;
  status: 'posted' | 'pending';
  pendingId: string | null;
}

export interface NewEntry {
  transactionId: string;
  accountId: string;
  direction: Direction;
  amountMinor: bigint;
}

export interface HeldEntry {
  accountId: string;
  direction: Direction;
  amountMinor: bigint;
}

export interface RecordedEntry {
  accountKind: AccountKind;
  ownerId: string | null;
  currency: string;
  direction: Direction;
  amountMinor: bigint;
}

/** Whether an account's shards hold anything to fold, as this statement's snapshot sees them. */
const hasShards = (accountId: RawBuilder<unknown>) => sql<boolean>`EXISTS (
  SELECT 1 FROM ledger_account_shards s WHERE s.account_id = ${accountId}
    AND (s.posted_debits, s.posted_credits, s.pending_debits, s.pending_credits) <> (0, 0, 0, 0))`;

// Bigints travel inside arrays as decimal strings: the pg driver returns int8[] as strings
// and both drivers accept strings for int8 parameters.
const int8s = (values: readonly bigint[]) => values.map(String);

/** A row's four counters. */
export const balancesOf = (
  row: Pick<LedgerAccountRow, 'posted_debits' | 'posted_credits' | 'pending_debits' | 'pending_credits'>,
): Balances => ({
  postedDebits: row.posted_debits,
  postedCredits: row.posted_credits,
  pendingDebits: row.pending_debits,
  pendingCredits: row.pending_credits,
});

/** SQL for the ledger's tables, and nothing else. Locking order and batching are decided here. */
export class LedgerRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): LedgerRepository {
    return new LedgerRepository(tablesOf<LedgerTables>(db));
  }

  /**
   * Creates the accounts that do not exist yet and locks all that existed before this
   * statement, in id order, in one round trip; then folds the locked accounts' shards into
   * their rows (foldShards), so every row returned holds its COMPLETE balance. New rows are
   * inserted in identity order so that two postings creating the same accounts wait on
   * each other instead of crossing. An account another transaction created while this one
   * waited is not returned (the statement's snapshot predates it): the caller asks again.
   * Accounts wanted with `lock: false` (a posting that only adds to their shards) are
   * created or found, never locked: their rows are returned as read, without their shards.
   */
  async lockAccounts(wanted: readonly WantedAccount[]): Promise<LedgerAccountRow[]> {
    const { rows } = await sql<LedgerAccountRow & { has_shards: boolean }>`
      WITH wanted AS (
        SELECT * FROM unnest(
          ${wanted.map((w) => w.kind)}::text[], ${wanted.map((w) => w.ownerId)}::uuid[],
          ${wanted.map((w) => w.currency)}::text[], ${wanted.map((w) => w.noOverdraft)}::boolean[],
          ${wanted.map((w) => w.lock !== false)}::boolean[]
        ) AS w(kind, owner_id, currency, no_overdraft, lock)
      ), created AS (
        INSERT INTO ledger_accounts (kind, owner_id, currency, no_overdraft)
        SELECT kind, owner_id, currency, no_overdraft FROM wanted ORDER BY kind, owner_id, currency
        ON CONFLICT (kind, (coalesce(owner_id, ${NO_OWNER}::uuid)), currency) DO NOTHING
        RETURNING *
      )
      SELECT *, false AS has_shards FROM created
      UNION ALL
      SELECT locked.*, ${hasShards(sql`locked.id`)} AS has_shards FROM (
        SELECT a.* FROM ledger_accounts a
        WHERE a.id = ANY(ARRAY(
          SELECT found.id FROM wanted w CROSS JOIN LATERAL (${accountNamedByW}) found WHERE w.lock
        ))
        ORDER BY a.id
        FOR NO KEY UPDATE OF a
      ) locked
      UNION ALL
      SELECT a.*, false AS has_shards FROM wanted w CROSS JOIN LATERAL (${accountNamedByW}) a
      WHERE NOT w.lock`.execute(this.db);
    return this.#folded(rows);
  }

  /** Locks accounts by id, in id order, and folds their shards in (as lockAccounts). */
  async lockAccountsById(ids: readonly string[]): Promise<LedgerAccountRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<LedgerAccountRow & { has_shards: boolean }>`
      SELECT locked.*, ${hasShards(sql`locked.id`)} AS has_shards FROM (
        SELECT * FROM ledger_accounts WHERE id = ANY(${uuidArray(ids)}::uuid[])
        ORDER BY id
        FOR NO KEY UPDATE
      ) locked
      ORDER BY locked.id`.execute(this.db);
    return this.#folded(rows);
  }

  /**
   * The statement that locks every wallet of these owners (any currency), in id order, as
   * lockAccountsById locks; its rows still carry `has_shards` (see lockedWallets).
   */
  lockWalletsQuery(ownerIds: readonly string[]): CompiledQuery {
    return sql`
      SELECT locked.*, ${hasShards(sql`locked.id`)} AS has_shards FROM (
        SELECT * FROM ledger_accounts
        WHERE kind = 'user_wallet'
          AND coalesce(owner_id, ${NO_OWNER}::uuid) = ANY(${uuidArray([...new Set(ownerIds)])}::uuid[])
        ORDER BY id
        FOR NO KEY UPDATE
      ) locked
      ORDER BY locked.id`.compile(this.db);
  }

  /** The rows lockWalletsQuery answered, with their shards folded in: complete balances. */
  lockedWallets(rows: readonly (LedgerAccountRow & { has_shards: boolean })[]): Promise<LedgerAccountRow[]> {
    return this.#folded([...rows]);
  }

  /**
   * The row lock is FOR NO KEY UPDATE, not FOR UPDATE: a posting that creates an account's
   * shard row takes KEY SHARE on the account through the shard's foreign key, and must not
   * wait for a debit of the same account.
   */
  async #folded(rows: (LedgerAccountRow & { has_shards: boolean })[]): Promise<LedgerAccountRow[]> {
    const plain = rows.map(({ has_shards: _, ...row }) => row);
    const toFold = rows.filter((row) => row.has_shards).map((row) => row.id);
    return withFolded(plain, await foldShards(this.db, toFold));
  }

  /**
   * Writes transactions, their entries and the balance changes in one statement, and
   * marks `resolvesHold` resolved. With `skipTaken`, a transaction whose (kind, reference)
   * is taken is skipped and then nothing at all is written (meant for one transaction);
   * without it the statement fails on a taken reference. `shard`, when given, adds its
   * changes to one shard of each of its accounts (whose rows are not locked), the shard
   * claimed from `choice` (ledger.shards.repository.ts). Returns the ids written.
   */
  async insertTransactions(input: {
    transactions: readonly NewTransaction[];
    entries: readonly NewEntry[];
    changes: ReadonlyMap<string, Balances>;
    skipTaken: boolean;
    resolvesHold?: string;
    shard?: { choice: ShardChoice; changes: ReadonlyMap<string, Balances> };
  }): Promise<string[]> {
    const { transactions: t, entries: e } = input;
    const { rows } = await sql<{ id: string }>`
      WITH tx AS (
        INSERT INTO ledger_transactions (id, kind, reference, currency, status, pending_id)
        SELECT * FROM unnest(
          ${t.map((x) => x.id)}::uuid[], ${t.map((x) => x.kind)}::text[], ${t.map((x) => x.reference)}::text[],
          ${t.map((x) => x.currency)}::text[], ${t.map((x) => x.status)}::text[], ${t.map((x) => x.pendingId)}::uuid[]
        )
        ${input.skipTaken ? sql`ON CONFLICT (kind, reference) DO NOTHING` : sql``}
        RETURNING id
      ), entries AS (
        INSERT INTO ledger_entries (transaction_id, account_id, direction, amount)
        SELECT e.transaction_id, e.account_id, e.direction, e.amount
        FROM unnest(
          ${e.map((x) => x.transactionId)}::uuid[], ${e.map((x) => x.accountId)}::uuid[],
          ${e.map((x) => x.direction)}::text[], ${int8s(e.map((x) => x.amountMinor))}::bigint[]
        ) WITH ORDINALITY AS e(transaction_id, account_id, direction, amount, n)
        JOIN tx ON tx.id = e.transaction_id
        ORDER BY e.n
      ), hold AS (
        UPDATE ledger_transactions SET resolved_at = now()
        WHERE id = ${input.resolvesHold ?? null}::uuid AND resolved_at IS NULL AND EXISTS (SELECT 1 FROM tx)
      ), balances AS (${this.#applyChanges(input.changes, sql`EXISTS (SELECT 1 FROM tx)`)})
      ${
        input.shard && input.shard.changes.size > 0
          ? sql`, shards AS (${addToShards(input.shard.changes, input.shard.choice, sql`EXISTS (SELECT 1 FROM tx)`)})`
          : sql``
      }
      SELECT id FROM tx`.execute(this.db);
    return rows.map((row) => row.id);
  }

  /** Voids an unresolved hold and releases what it held; false if it was not unresolved. */
  async voidHold(holdId: string, changes: ReadonlyMap<string, Balances>): Promise<boolean> {
    const { rows } = await sql<{ id: string }>`
      WITH hold AS (
        UPDATE ledger_transactions SET status = 'voided', resolved_at = now()
        WHERE id = ${holdId}::uuid AND status = 'pending' AND resolved_at IS NULL
        RETURNING id
      ), balances AS (${this.#applyChanges(changes, sql`EXISTS (SELECT 1 FROM hold)`)})
      SELECT id FROM hold`.execute(this.db);
    return rows.length === 1;
  }

  /** One UPDATE for every account's counters; the CHECK constraints see the final values. */
  #applyChanges(changes: ReadonlyMap<string, Balances>, guard: RawBuilder<unknown>) {
    const ids = [...changes.keys()];
    const field = (name: keyof Balances) => int8s(ids.map((id) => changes.get(id)![name]));
    return sql`
      UPDATE ledger_accounts a SET
        posted_debits = a.posted_debits + d.posted_debits,
        posted_credits = a.posted_credits + d.posted_credits,
        pending_debits = a.pending_debits + d.pending_debits,
        pending_credits = a.pending_credits + d.pending_credits
      FROM unnest(
        ${ids}::uuid[], ${field('postedDebits')}::bigint[], ${field('postedCredits')}::bigint[],
        ${field('pendingDebits')}::bigint[], ${field('pendingCredits')}::bigint[]
      ) AS d(id, posted_debits, posted_credits, pending_debits, pending_credits)
      WHERE a.id = d.id AND ${guard}`;
  }

  /** A transaction by its idempotency key, with its entries named by account identity. */
  async findByReference(kind: string, reference: string) {
    const rows = await this.db
      .selectFrom('ledger_transactions as t')
      .leftJoin('ledger_entries as e', 'e.transaction_id', 't.id')
      .leftJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .select([
        't.id',
        't.status',
        't.pending_id',
        't.resolved_at',
        'a.kind as account_kind',
        'a.owner_id',
        'a.currency',
        'e.direction',
        'e.amount',
      ])
      .where('t.kind', '=', kind)
      .where('t.reference', '=', reference)
      .orderBy('e.id')
      .execute();
    const first = rows[0];
    if (!first) return undefined;
    const entries: RecordedEntry[] = rows.flatMap((row) =>
      row.direction && row.amount !== null && row.account_kind && row.currency
        ? [
            {
              accountKind: row.account_kind,
              ownerId: row.owner_id,
              currency: row.currency,
              direction: row.direction,
              amountMinor: row.amount,
            },
          ]
        : [],
    );
    return {
      id: first.id,
      status: first.status,
      pendingId: first.pending_id,
      resolvedAt: first.resolved_at,
      entries,
    };
  }

  /** Locks a transaction (to resolve it as a hold) and reads its entries. */
  async lockHold(id: string) {
    const rows = await this.db
      .selectFrom('ledger_transactions as t')
      .leftJoin('ledger_entries as e', 'e.transaction_id', 't.id')
      .select(['t.id', 't.kind', 't.reference', 't.currency', 't.status', 't.resolved_at'])
      .select(['e.account_id', 'e.direction', 'e.amount'])
      .where('t.id', '=', id)
      .orderBy('e.id')
      .forUpdate('t')
      .execute();
    const first = rows[0];
    if (!first) return undefined;
    const entries: HeldEntry[] = rows.flatMap((row) =>
      row.account_id && row.direction && row.amount !== null
        ? [{ accountId: row.account_id, direction: row.direction, amountMinor: row.amount }]
        : [],
    );
    return {
      id: first.id,
      kind: first.kind,
      reference: first.reference,
      currency: first.currency,
      status: first.status as TransactionStatus,
      resolvedAt: first.resolved_at,
      entries,
    };
  }

  /** Which of these (kind, reference) pairs are already taken. */
  async takenReferences(keys: readonly { kind: string; reference: string }[]) {
    // One index probe per key (LATERAL): a plain join lets the planner scan the whole table,
    // which grows with every posting.
    const { rows } = await sql<{ kind: string; reference: string }>`
      SELECT t.kind, t.reference
      FROM unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.reference)}::text[]) AS k(kind, reference)
      CROSS JOIN LATERAL (
        SELECT kind, reference FROM ledger_transactions
        WHERE kind = k.kind AND reference = k.reference LIMIT 1
      ) t`.execute(this.db);
    return rows;
  }

  findTransaction(kind: string, reference: string) {
    return this.db
      .selectFrom('ledger_transactions')
      .select(['id', 'status', 'resolved_at'])
      .where('kind', '=', kind)
      .where('reference', '=', reference)
      .executeTakeFirst();
  }

  /** findTransaction for many references of one kind: one statement, probing the (kind, reference) key. */
  findTransactions(kind: string, references: readonly string[]) {
    return this.db
      .selectFrom('ledger_transactions')
      .select(['id', 'reference', 'status', 'resolved_at'])
      .where('kind', '=', kind)
      .where(sql<boolean>`reference = ANY(${references}::text[])`)
      .execute();
  }

  /** A user's wallets with their complete balances (row plus shards). */
  async wallets(ownerId: string): Promise<LedgerAccountRow[]> {
    const { rows } = await sql<LedgerAccountRow>`
      SELECT * FROM ${completeAccounts} a
      WHERE a.kind = 'user_wallet' AND a.owner_id = ${ownerId}::uuid
      ORDER BY a.currency`.execute(this.db);
    return rows;
  }
}
