/** What a batch needs to know of an account it does not lock. */
export interface KnownAccount {
  id: string;
  noOverdraft: boolean;
}

/** Accounts remembered per ledger, enough for the wallets of many bulk loads. */
export const DEFAULT_KNOWN_ACCOUNTS = 100_000;

/**
 * The ids of committed accounts by their identity (`accountKey`), those not used for
 * longest forgotten first. Safe to keep for as long as the process lives because an account, once
 * committed, is permanent: the database refuses to delete it or to change its id, kind,
 * owner, currency or overdraft rule (migrations 0035 and 0037). What must never enter is an
 * account created by a transaction that may still roll back; the batch only remembers rows
 * older than its own transaction. A wrong id would still not be written: every new entry's
 * account is checked by the database (0034).
 */
export class AccountIdCache {
  // Insertion order is the eviction order; `used` gives an entry read since it was last
  // moved one more round (second chance, an approximation of LRU that costs a flag per
  // read, where moving every read entry to the young end cost a delete and a set).
  readonly #accounts = new Map<string, { account: KnownAccount; used: boolean }>();

  constructor(private readonly capacity = DEFAULT_KNOWN_ACCOUNTS) {}

  /** The account under every one of `keys`, in their order, or undefined if any is unknown. */
  all(keys: readonly string[]): KnownAccount[] | undefined {
    const found: KnownAccount[] = [];
    for (const key of keys) {
      const entry = this.#accounts.get(key);
      if (entry === undefined) return undefined;
      found.push(entry.account);
    }
    // Used again, once they are all known.
    for (const key of keys) this.#accounts.get(key)!.used = true;
    return found;
  }

  remember(key: string, account: KnownAccount): void {
    this.#accounts.delete(key);
    // Room first, so the newcomer is not the one a full round of second chances ends on.
    while (this.#accounts.size >= this.capacity) {
      const [oldest, entry] = this.#accounts.entries().next().value!;
      this.#accounts.delete(oldest);
      if (entry.used) this.#accounts.set(oldest, { account: entry.account, used: false });
    }
    this.#accounts.set(key, { account, used: false });
  }

  get size(): number {
    return this.#accounts.size;
  }
}
