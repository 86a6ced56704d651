import type { Kysely } from 'kysely';
import type { AuditLog } from '../../platform/audit/audit.log.js';
import type { AuditOrigin } from '../../platform/audit/audit.rules.js';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { AppError, conflict, type FieldError, invalidField, notFound } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';
import type { Consents } from './privacy.consents.js';
import type { ErasureTargets } from './privacy.sources.js';

/** What must happen before an account may be erased, one field error per kind of blocker. */
async function blockersOf(targets: ErasureTargets, userId: string): Promise<FieldError[]> {
  const blockers: FieldError[] = (await targets.obligations.of(userId)).map((obligation) => ({
    field: obligation.ids.join(','),
    code: obligation.code,
    message: obligation.message,
  }));
  for (const wallet of await targets.ledger.wallets(userId)) {
    if (wallet.posted !== wallet.available) {
      blockers.push({
        field: `wallet.${wallet.currency}`,
        code: 'payout_pending',
        message: `a payout of ${formatAmount(wallet.posted - wallet.available, wallet.currency)} ${wallet.currency} is in progress`,
      });
    }
    if (wallet.available !== 0n) {
      blockers.push({
        field: `wallet.${wallet.currency}`,
        code: 'wallet_balance',
        message: `the wallet holds ${formatAmount(wallet.available, wallet.currency)} ${wallet.currency}: pay it out or spend it first`,
      });
    }
  }
  return blockers;
}

/**
 * Erasure (GDPR Art. 17): personal data anonymised, sessions and API clients revoked,
 * endpoints, browsers, mail and consents deleted; payments, refunds and ledger entries stay
 * (the law requires them) under the account's id, a pseudonym once nothing maps it to a
 * person, so the ledger still balances.
 */
export class PrivacyErasure {
  constructor(
    private readonly db: Kysely<object>,
    private readonly targets: ErasureTargets,
    private readonly consents: Consents,
    private readonly audit: AuditLog,
  ) {}

  /**
   * The caller erases their own account, confirming with their password (an account made
   * by OpenID Connect has none: its fresh session is the confirmation).
   * @throws `validation_failed` (400, password required), `invalid_credentials` (401),
   * `rate_limited` (429), `erasure_blocked` (409, with what must happen first)
   */
  async eraseSelf(actor: Actor | undefined, input: { password?: string }, origin: AuditOrigin) {
    const me = authorize(actor);
    const account = await this.targets.userPrivacy.account(me.userId);
    if (!account || account.status === 'erased') throw notFound('user');
    if (account.hasPassword) {
      if (input.password === undefined) {
        throw invalidField('password', 'required', 'password is required to erase your account');
      }
      await this.targets.userPrivacy.confirmPassword(me.userId, input.password, origin.ip);
    }
    return this.erase(me, me.userId, 'user.erase', origin);
  }

  /**
   * An admin erases someone else's account (on their request by another channel, or by
   * order). Not their own: that goes through the self route, with a password.
   * @throws `role_not_allowed` (403), `cannot_erase_self` (409), `user_not_found` (404),
   * `erasure_blocked` (409)
   */
  async eraseByAdmin(actor: Actor | undefined, userId: string, origin: AuditOrigin) {
    const admin = authorize(actor, { roles: ['admin'] });
    if (admin.userId === userId) {
      throw conflict('cannot_erase_self', 'an admin erases their own account through DELETE /users/me');
    }
    const account = await this.targets.userPrivacy.account(userId);
    if (!account || account.status === 'erased') throw notFound('user');
    return this.erase(admin, userId, 'admin.user.erase', origin);
  }

  private async erase(actor: Actor, userId: string, action: string, origin: AuditOrigin) {
    const blockers = await blockersOf(this.targets, userId);
    if (blockers.length > 0) {
      throw new AppError('conflict', 'erasure_blocked', 'the account has open business to settle first', {
        fields: blockers,
      });
    }
    const { targets } = this;
    await this.db.transaction().execute(async (trx) => {
      if (!(await targets.userPrivacy.erase(trx, userId))) throw notFound('user');
      await targets.webhooks.eraseOwner(trx, userId);
      await targets.push.eraseUser(trx, userId);
      await targets.notifications.eraseUser(trx, userId);
      await targets.addresses?.eraseUser(trx, userId);
      await targets.carts?.eraseUser(trx, userId);
      await this.consents.eraseUser(trx, userId);
      // In the erasure's own transaction: an erasure is never without its record.
      await this.audit.write(
        {
          action,
          actor,
          target: { kind: 'user', id: userId },
          subjectUserId: userId,
          origin,
          statusCode: 200,
        },
        trx,
      );
    });
    // After the commit, as disabling does: a login racing this one finds no account by then.
    await targets.userPrivacy.revokeAccessTokens(userId);
    const apiClientsRevoked = (await targets.oauth?.revokeClientsOf(userId)) ?? 0;
    return { id: userId, status: 'erased' as const, api_clients_revoked: apiClientsRevoked };
  }
}
