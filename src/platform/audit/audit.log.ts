import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../db/database.js';
import { GroupCommit } from '../db/group-commit.js';
import { decodeSequenceCursor, encodeSequenceCursor, likeLiteral, pageOf } from '../db/keyset.js';
import { type AuditEntry, auditRowOf, type PublicAuditEntry, toPublicAuditEntry } from './audit.rules.js';
import type { AuditTables } from './audit.tables.js';

export interface AuditQuery {
  actorId?: string;
  subjectUserId?: string;
  /** An exact action, or every action under a prefix when it ends in `.*` (`admin.*`). */
  action?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

/** Entries one INSERT of concurrent writes carries (11 parameters each, far below 65,535). */
const WRITE_BATCH = 500;
/** Rows one retention statement deletes: small enough not to hold locks for long. */
const DELETE_BATCH = 1_000;
export const MAX_AUDIT_PAGE = 200;

/**
 * The append-only audit log: who read or changed personal data, and every admin action.
 * The database refuses updates, and deletes of anything younger than the retention
 * cutoff the deleting transaction names (see migration 0023).
 */
export class AuditLog {
  private readonly db: Kysely<AuditTables>;
  // Reads audited on every request (a profile) would otherwise cost an INSERT and a commit each.
  private readonly appends: GroupCommit<ReturnType<typeof auditRowOf>>;

  constructor(db: Kysely<object>) {
    this.db = tablesOf<AuditTables>(db);
    this.appends = new GroupCommit(async (rows) => {
      await this.db.insertInto('audit_log').values(rows).execute();
    }, WRITE_BATCH);
  }

  /**
   * Appends one entry, in `trx` when given (so the entry commits or rolls back with what it
   * records); else together with the entries being written at the same moment, resolving
   * once its own is committed (GroupCommit). Throws when it cannot be written: the caller
   * decides how loud to be.
   */
  async write(entry: AuditEntry, trx?: Transaction<object>): Promise<void> {
    const row = auditRowOf(entry);
    if (!trx) return this.appends.add(row);
    await tablesOf<AuditTables>(trx).insertInto('audit_log').values(row).execute();
  }

  /** A page of entries, newest first, keyset on the journal's sequence. */
  async list(query: AuditQuery): Promise<{ items: PublicAuditEntry[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(query.limit, 1), MAX_AUDIT_PAGE);
    let select = this.db.selectFrom('audit_log').selectAll();
    if (query.actorId) select = select.where('actor_id', '=', query.actorId);
    if (query.subjectUserId) select = select.where('subject_user_id', '=', query.subjectUserId);
    if (query.action?.endsWith('.*')) {
      select = select.where('action', 'like', `${likeLiteral(query.action.slice(0, -1))}%`);
    } else if (query.action) {
      select = select.where('action', '=', query.action);
    }
    if (query.from) select = select.where('occurred_at', '>=', query.from);
    if (query.to) select = select.where('occurred_at', '<', query.to);
    if (query.cursor !== undefined) {
      select = select.where('sequence', '<', decodeSequenceCursor(query.cursor).toString());
    }
    const rows = await select
      .orderBy('sequence', 'desc')
      .limit(limit + 1)
      .execute();
    return pageOf(rows, limit, toPublicAuditEntry, (row) => encodeSequenceCursor(BigInt(row.sequence)));
  }

  /**
   * Deletes entries older than `cutoff`, in batches, each in a transaction that names the
   * cutoff to the database's append-only trigger. Returns how many went.
   */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('mamlaka.audit_delete_before', ${cutoff.toISOString()}, true)`.execute(
          trx,
        );
        const result = await trx
          .deleteFrom('audit_log')
          .where(
            'sequence',
            'in',
            trx
              .selectFrom('audit_log')
              .select('sequence')
              .where('occurred_at', '<', cutoff)
              .orderBy('sequence')
              .limit(DELETE_BATCH),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
      total += deleted;
      if (deleted < DELETE_BATCH) return total;
    }
  }
}
