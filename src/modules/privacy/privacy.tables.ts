import type { Generated, Selectable } from 'kysely';

/** What a consent record is about: marketing mail, or the CCPA's "do not sell or share". */
export type ConsentPurpose = 'marketing_email' | 'do_not_sell';
export const CONSENT_PURPOSES: readonly ConsentPurpose[] = ['marketing_email', 'do_not_sell'];

export interface ConsentsTable {
  id: Generated<string>;
  user_id: string;
  purpose: ConsentPurpose;
  /** The user's answer to the purpose's question; for `do_not_sell`, true means "do not". */
  granted: boolean;
  /** Where the choice was made: `mail_preferences`, `privacy_settings`, `erasure`. */
  source: string;
  ip: string | null;
  recorded_at: Generated<Date>;
}

/** The tables the privacy module owns. */
export interface PrivacyTables {
  consents: ConsentsTable;
}

export type ConsentRow = Selectable<ConsentsTable>;
