import { type Actor, authorize, type Role } from '../../platform/auth/policy.js';
import type { Outbox } from '../../platform/events/outbox.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { decodeTimeCursor, encodeTimeCursor, pageOf } from '../../platform/db/keyset.js';
import { conflict, invalidField, notFound, unauthenticated } from '../../platform/errors.js';
import { IN_PROCESS, type PasswordAttempts } from './users.attempts.js';
import { assertAcceptablePassword } from './users.password-rules.js';
import { hashPassword, verifyPassword } from './users.passwords.js';
import type { UsersRepository } from './users.repository.js';
import type { SessionsService } from './users.sessions.js';
import type { RecoveryService } from './users.recovery.js';
import type { ProfileCache } from './users.profile-cache.js';
import {
  type AdminUser,
  assertMayRegisterAs,
  assertNotSelf,
  assertPasswordsMatch,
  isUserId,
  normalizeEmail,
  normalizeShippingAddress,
  type PublicUser,
  type ShippingAddress,
  toAdminUser,
  toPublicUser,
} from './users.rules.js';

export interface RegisterInput {
  name: string;
  email: string;
  role: Role;
  password: string;
  confirm_password: string;
}

export interface UpdateProfileInput {
  name?: string;
  email?: string;
  /** E.164; null removes it. */
  phone?: string | null;
  /** null removes it. */
  shipping_address?: ShippingAddress | null;
  password?: string;
  confirm_password?: string;
  current_password?: string;
}

export interface ListUsersQuery {
  /** A whole e-mail address (any case) or a user id: personal data is encrypted, so nothing partial. */
  q?: string;
  role?: Role;
  status?: 'active' | 'disabled';
  limit: number;
  cursor?: string;
}

const emailTaken = () => conflict('email_taken', 'email already exists');

/** What an admin's search `q` matches: a user id when it is one, else an exact e-mail. */
const searchFilter = (q: string | undefined): { email?: string; id?: string } =>
  !q ? {} : isUserId(q) ? { id: q.toLowerCase() } : { email: q };

/** The users module's facade for accounts and profiles. Sessions live in SessionsService. */
export class UsersService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly attempts: PasswordAttempts,
    private readonly outbox?: Outbox,
    /** Ends other sessions when credentials change; absent only in the CLI, which changes none. */
    private readonly sessions?: Pick<SessionsService, 'revokeAccessTokens'>,
    /** Mails a verification link on registration and e-mail change (users.recovery.ts). */
    private readonly verification?: Pick<RecoveryService, 'requestVerification' | 'issueVerification'>,
    /** Profiles read through a cache that each change of a user empties (users.profile-cache.ts). */
    private readonly profiles?: Pick<ProfileCache, 'get' | 'changed'>,
  ) {}

  /**
   * Opens an account. The email's uniqueness is decided by the database's unique index,
   * so concurrent registrations of one address yield exactly one account. `user.registered`
   * is written to the outbox in the same transaction, carrying ids only: the outbox is kept
   * for days and is not encrypted, and consumers look the user up (UsersService.contact).
   * @throws `validation_failed` (400), `password_too_common` (400), `role_not_allowed` (403),
   * `email_taken` (409)
   */
  async register(input: RegisterInput, actor?: Actor): Promise<PublicUser> {
    assertPasswordsMatch(input.password, input.confirm_password);
    await assertAcceptablePassword(input.password);
    assertMayRegisterAs(input.role, actor);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.repo.transaction(async (repo, trx) => {
        const user = toPublicUser(
          await repo.insertUser({
            name: input.name.trim(),
            email: normalizeEmail(input.email),
            role: input.role,
            password_hash: passwordHash,
          }),
        );
        // The welcome mail carries the verification link (sealed): one mail, not two.
        const verification = await this.verification?.issueVerification(trx, user.id, user.email);
        await this.outbox?.write(trx, [
          {
            type: 'user.registered',
            aggregate: `user:${user.id}`,
            data: {
              id: user.id,
              role: user.role,
              created_at: user.created_at,
              ...(verification ? { verification } : {}),
            },
          },
        ]);
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) throw emailTaken();
      throw error;
    }
  }

  /** Creates an admin on the operator's authority (the CLI), bypassing role rules. */
  createAdmin(input: { name: string; email: string; password: string }): Promise<PublicUser> {
    const system: Actor = { userId: 'system', role: 'admin' };
    return this.register({ ...input, role: 'admin', confirm_password: input.password }, system);
  }

  /**
   * The user's own profile, or anyone's for an admin; everyone else gets 404. Served from the
   * profile cache unless `fresh` (a caller that caches profiles itself, the split gateway).
   * The object returned is frozen: it may answer other requests too.
   */
  async retrieve(
    actor: Actor | undefined,
    id: string,
    options: { fresh?: boolean } = {},
  ): Promise<PublicUser> {
    authorize(actor, { object: { kind: 'user', ownerIds: [id] } });
    const load = async () => {
      const row = await this.repo.findUserById(id);
      return row && toPublicUser(row);
    };
    const user = await (this.profiles && !options.fresh ? this.profiles.get(id, load) : load());
    if (!user) throw notFound('user');
    return user;
  }

  /**
   * Changes the caller's own name, email, password, phone or shipping address. Email and password changes need the
   * current password and end every other session, access tokens included (the caller's own
   * session goes on). A wrong current password counts against the account as a failed
   * login does (a stolen access token must not let its holder guess the password without
   * limit).
   * @throws `invalid_credentials` (401), `rate_limited` (429), `email_taken` (409),
   * `password_too_common` (400)
   */
  async updateOwnProfile(
    actor: Actor | undefined,
    input: UpdateProfileInput,
    clientIp: string = IN_PROCESS,
  ): Promise<PublicUser> {
    const me = authorize(actor);
    const current = await this.repo.findUserById(me.userId);
    if (!current) throw notFound('user');
    const patch: {
      name?: string;
      email?: string;
      password_hash?: string;
      phone?: string | null;
      shipping_address?: string | null;
    } = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.phone !== undefined) patch.phone = input.phone;
    if (input.shipping_address !== undefined)
      patch.shipping_address =
        input.shipping_address === null
          ? null
          : JSON.stringify(normalizeShippingAddress(input.shipping_address));
    const sensitive = input.email !== undefined || input.password !== undefined;
    if (sensitive) {
      if (input.current_password === undefined) {
        throw invalidField(
          'current_password',
          'required',
          'current_password is required to change email or password',
        );
      }
      const password = input.current_password;
      const verified = await this.attempts.verify(current.email, clientIp, async () =>
        (await verifyPassword(password, current.password_hash)) ? true : undefined,
      );
      if (!verified) {
        throw unauthenticated('invalid_credentials', 'current password is incorrect');
      }
    }
    if (input.email !== undefined) patch.email = normalizeEmail(input.email);
    if (input.password !== undefined) {
      assertPasswordsMatch(input.password, input.confirm_password ?? '');
      await assertAcceptablePassword(input.password);
      patch.password_hash = await hashPassword(input.password);
    }
    try {
      const row = await this.repo.transaction(async (repo, trx) => {
        const updated = await repo.updateUser(me.userId, patch);
        if (sensitive) await repo.revokeAllForUser(me.userId, new Date(), me.sessionId);
        // The new address takes effect now (the current password proved the change) but
        // counts as unverified until the link mailed to it is followed.
        if (updated && this.verification && patch.email !== undefined && patch.email !== current.email) {
          await this.verification.requestVerification(trx, me.userId, patch.email);
          return { ...updated, email_verified_at: null };
        }
        return updated;
      });
      if (!row) throw notFound('user');
      await this.profiles?.changed(me.userId);
      if (sensitive) await this.sessions?.revokeAccessTokens(me.userId, me.sessionId);
      return toPublicUser(row);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) throw emailTaken();
      throw error;
    }
  }

  /**
   * Accounts for admins, newest first, a keyset page at a time.
   * @throws `role_not_allowed` (403), `validation_failed` (400) for a cursor we did not issue
   */
  async list(
    actor: Actor | undefined,
    query: ListUsersQuery,
  ): Promise<{ items: AdminUser[]; nextCursor: string | null }> {
    authorize(actor, { roles: ['admin'] });
    const after = query.cursor === undefined ? undefined : decodeTimeCursor(query.cursor);
    const q = query.q?.trim();
    const rows = await this.repo.listUsers(
      { ...searchFilter(q), role: query.role, status: query.status },
      query.limit,
      after,
    );
    return pageOf(rows, query.limit, toAdminUser, (row) =>
      encodeTimeCursor({ createdAt: row.cursor_key, id: row.id }),
    );
  }

  private readonly disableListeners: ((userId: string) => Promise<void>)[] = [];

  /**
   * Runs `listener` after each disable, once the account's sessions are ended: other
   * modules end the credentials they issued for the account (API clients' tokens).
   */
  whenDisabled(listener: (userId: string) => Promise<void>): void {
    this.disableListeners.push(listener);
  }

  /**
   * Disables an account and ends every session of it: its refresh tokens (in the same
   * transaction) and then its live access tokens on every instance, so the user's next
   * request is refused (401) and logins and refreshes answer `account_disabled` (403).
   * Idempotent: disabling a disabled account keeps its disabled_at and revokes again, so a
   * retry after a failed revocation finishes the job.
   * @throws `role_not_allowed` (403), `cannot_disable_self` (409), `user_not_found` (404)
   */
  async disable(actor: Actor | undefined, id: string): Promise<AdminUser> {
    const admin = authorize(actor, { roles: ['admin'] });
    assertNotSelf(admin, id);
    const sessions = this.sessions;
    if (!sessions) throw new Error('disabling an account needs the sessions service');
    const row = await this.repo.transaction(async (repo) => {
      const disabled = await repo.setDisabled(id, true);
      if (disabled) await repo.revokeAllForUser(id, new Date());
      return disabled;
    });
    if (!row) throw notFound('user');
    // After the commit, as logout does: a login racing this one is refused by then.
    await sessions.revokeAccessTokens(id);
    await this.profiles?.changed(id);
    for (const listener of this.disableListeners) await listener(id);
    return toAdminUser(row);
  }

  /**
   * Lets a disabled account log in again; its old sessions stay ended. Idempotent.
   * @throws `role_not_allowed` (403), `user_not_found` (404)
   */
  async enable(actor: Actor | undefined, id: string): Promise<AdminUser> {
    authorize(actor, { roles: ['admin'] });
    const row = await this.repo.setDisabled(id, false);
    if (!row) throw notFound('user');
    await this.profiles?.changed(id);
    return toAdminUser(row);
  }
}
