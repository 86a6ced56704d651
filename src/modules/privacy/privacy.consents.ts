import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { PersonalDataFilter } from '../webhooks/webhooks.service.js';
import type { MarketingConsents } from '../notifications/notifications.service.js';
import { withholdPersonalData } from './privacy.rules.js';
import type { ConsentPurpose, ConsentRow, PrivacyTables } from './privacy.tables.js';

/** Most consent records an export or a settings page lists per user. */
const MAX_HISTORY = 500;

export interface ConsentRecord {
  purpose: ConsentPurpose;
  granted: boolean;
  source: string;
  ip: string | null;
  recorded_at: string;
}

const toRecord = (row: ConsentRow): ConsentRecord => ({
  purpose: row.purpose,
  granted: row.granted,
  source: row.source,
  ip: row.ip,
  recorded_at: new Date(row.recorded_at).toISOString(),
});

const of = (db: Kysely<object> | Transaction<object>) => tablesOf<PrivacyTables>(db);

/**
 * Consent history: every choice appended with its time, purpose, source and address; the
 * current state of a purpose is its latest record. Also what the notifications module
 * records marketing choices through, and what webhooks ask before sharing a person's data.
 */
export class Consents implements MarketingConsents, PersonalDataFilter {
  constructor(private readonly db: Kysely<object>) {}

  /** Appends a choice, in `trx` when given (so it commits with the change it records). */
  async record(
    input: { userId: string; purpose: ConsentPurpose; granted: boolean; source: string; ip?: string },
    trx?: Transaction<object>,
  ): Promise<void> {
    await of(trx ?? this.db)
      .insertInto('consents')
      .values({
        user_id: input.userId,
        purpose: input.purpose,
        granted: input.granted,
        source: input.source,
        ip: input.ip?.slice(0, 64) ?? null,
      })
      .execute();
  }

  recordMarketing(
    trx: Transaction<object>,
    userId: string,
    granted: boolean,
    origin: { ip?: string; source: string },
  ): Promise<void> {
    return this.record({ userId, purpose: 'marketing_email', granted, ...origin }, trx);
  }

  /** The user's records, newest first. */
  async history(userId: string): Promise<ConsentRecord[]> {
    const rows = await of(this.db)
      .selectFrom('consents')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .limit(MAX_HISTORY)
      .execute();
    return rows.map(toRecord);
  }

  /** Of `userIds`, those whose latest `do_not_sell` record says "do not". */
  async optedOutOfSharing(userIds: readonly string[], trx?: Transaction<object>): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await of(trx ?? this.db)
      .selectFrom('consents as latest')
      .select('latest.user_id')
      .where('latest.user_id', 'in', [...userIds])
      .where('latest.purpose', '=', 'do_not_sell')
      .where('latest.granted', '=', true)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('consents as later')
              .select(sql`1`.as('one'))
              .whereRef('later.user_id', '=', 'latest.user_id')
              .where('later.purpose', '=', 'do_not_sell')
              .whereRef('later.id', '>', 'latest.id'),
          ),
        ),
      )
      .execute();
    return new Set(rows.map((row) => row.user_id));
  }

  async forRecipients(
    trx: Transaction<object>,
    event: { type: string; data: unknown; personIds: readonly string[] },
  ): Promise<(recipientId: string) => unknown> {
    const optedOut = await this.optedOutOfSharing(event.personIds, trx);
    if (optedOut.size === 0) return () => event.data;
    return (recipientId) => withholdPersonalData(event.data, optedOut, recipientId);
  }

  /**
   * Erasure: the user's consent history goes (there is no processing left to prove consent
   * for), and one record stays saying their data is not to be shared, so events about their
   * past payments never name even the pseudonym to others.
   */
  async eraseUser(trx: Transaction<object>, userId: string): Promise<void> {
    await of(trx).deleteFrom('consents').where('user_id', '=', userId).execute();
    await this.record({ userId, purpose: 'do_not_sell', granted: true, source: 'erasure' }, trx);
  }
}
