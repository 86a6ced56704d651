/** What a batch needs to know of an account it does not lock. */
export interface KnownAccount {
  id: string;
  noOverdraft: boolean;
}

/** Accounts remembered per ledger, enough for the wallets of many bulk loads. */
export const DEFAULT_KNOWN_ACCOUNTS = 100_000;

/**
 * The ids of committed accounts by their identity (`accountKey`), least recently used
 * forgotten first. Safe to keep for as long as the process lives because an account, once
 * committed, is permanent: the database refuses to delete it or to change its id, kind,
 * owner, currency or overdraft rule (migrations 0035 and 0037). What must never enter is an
 * account created by a transaction that may still roll back; the batch only remembers rows
 * older than its own transaction. A wrong id would still not be written: every new entry's
 * account is checked by the database (0034).
 */
export class AccountIdCache {
  readonly #accounts = new Map<string, KnownAccount>();

  constructor(private readonly capacity = DEFAULT_KNOWN_ACCOUNTS) {}

  /** The account under every one of `keys`, in their order, or undefined if any is unknown. */
  all(keys: readonly string[]): KnownAccount[] | undefined {
    const found: KnownAccount[] = [];
    for (const key of keys) {
      const account = this.#accounts.get(key);
      if (account === undefined) return undefined;
      found.push(account);
    }
    // Used again: move them to the young end, only once they are all known.
    for (const [i, key] of keys.entries()) {
      this.#accounts.delete(key);
      this.#accounts.set(key, found[i]!);
    }
    return found;
  }

  remember(key: string, account: KnownAccount): void {
    this.#accounts.delete(key);
    this.#accounts.set(key, account);
    if (this.#accounts.size > this.capacity) this.#accounts.delete(this.#accounts.keys().next().value!);
  }

  get size(): number {
    return this.#accounts.size;
  }
}
