import type { Kysely } from 'kysely';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { UsersRepository } from './users.repository.js';
import { isUserId } from './users.rules.js';

/** Whom to write to: an active account's name and address. */
export interface Contact {
  id: string;
  name: string;
  email: string;
}

/**
 * The users' addresses, for other modules (mail): not for requests, so it takes no actor.
 * Read on the pool it is given, so the mail consumer looks them up on its own connections.
 */
export class UserContacts {
  constructor(private readonly repo: UsersRepository) {}

  static on(db: Kysely<object>, keyring: KeyRing): UserContacts {
    return new UserContacts(UsersRepository.of(db, keyring));
  }

  /** The active accounts among `ids`, by id (lower-case); an id that is not a uuid names nobody. */
  async contactsOf(ids: readonly string[]): Promise<Map<string, Contact>> {
    const wanted = [...new Set(ids.filter(isUserId).map((id) => id.toLowerCase()))];
    const rows = await this.repo.findActiveUsersByIds(wanted);
    return new Map(rows.map((row) => [row.id, { id: row.id, name: row.name, email: row.email }]));
  }

  /** Every active user, a page at a time in id order (at most 1,000 per page). */
  async contacts(afterId: string | undefined, limit: number): Promise<Contact[]> {
    const rows = await this.repo.listActiveUsers(afterId, Math.min(Math.max(limit, 1), 1_000));
    return rows.map((row) => ({ id: row.id, name: row.name, email: row.email }));
  }
}
