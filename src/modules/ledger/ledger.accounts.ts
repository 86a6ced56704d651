import { unavailable } from '../../platform/errors.js';
import type { LedgerRepository, WantedAccount } from './ledger.repository.js';
import { type AccountKind, type AccountRef, accountKey, refusesOverdraft } from './ledger.rules.js';
import type { LedgerAccountRow } from './ledger.tables.js';

// A posting asks again when a concurrent posting created one of its accounts meanwhile.
const LOCK_ATTEMPTS = 3;

export const keyOfRow = (row: { kind: AccountKind; owner_id: string | null; currency: string }) =>
  accountKey({ kind: row.kind, ownerId: row.owner_id ?? undefined, currency: row.currency });

/**
 * Creates and locks every account the refs name, whoever creates them concurrently, by
 * accountKey; the accounts in `unlocked` (by accountKey) are created or found but not
 * locked (a posting that only adds to their shards). Locked rows hold complete balances.
 * @throws unavailable 'ledger_busy' when accounts kept appearing concurrently
 */
export async function lockAccountsOf(
  repo: LedgerRepository,
  refs: readonly AccountRef[],
  unlocked: ReadonlySet<string> = new Set(),
): Promise<Map<string, LedgerAccountRow>> {
  const wanted = new Map<string, WantedAccount>();
  for (const ref of refs) {
    wanted.set(accountKey(ref), {
      kind: ref.kind,
      ownerId: ref.ownerId?.toLowerCase() ?? null,
      currency: ref.currency,
      noOverdraft: refusesOverdraft(ref.kind),
      lock: !unlocked.has(accountKey(ref)),
    });
  }
  const found = new Map<string, LedgerAccountRow>();
  for (let attempt = 0; attempt < LOCK_ATTEMPTS && found.size < wanted.size; attempt++) {
    const missing = [...wanted].filter(([key]) => !found.has(key)).map(([, account]) => account);
    for (const row of await repo.lockAccounts(missing)) found.set(keyOfRow(row), row);
  }
  if (found.size < wanted.size) throw unavailable('ledger_busy', 'ledger accounts are being created; retry');
  return found;
}
