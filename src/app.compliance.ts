import type { Kysely } from 'kysely';
import type { AddressesService } from './modules/addresses/addresses.service.js';
import type { CartsModule } from './modules/carts/carts.module.js';
import type { Config } from './config.js';
import type { LedgerService } from './modules/ledger/ledger.service.js';
import type { NotificationsModule } from './modules/notifications/notifications.module.js';
import { createOAuthModule } from './modules/oauth/oauth.module.js';
import type { PaymentsModule } from './modules/payments/payments.module.js';
import type { Consents } from './modules/privacy/privacy.consents.js';
import { createPrivacyModule } from './modules/privacy/privacy.module.js';
import type { PushModule } from './modules/push/push.module.js';
import type { UsersModule } from './modules/users/users.module.js';
import type { WalletsModule } from './modules/wallets/wallets.module.js';
import type { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import type { AuditLog } from './platform/audit/audit.log.js';
import type { AccessTokens } from './platform/auth/tokens.js';

/**
 * API clients (OAuth 2.0) and the privacy rights (export, erasure, consents), wired to the
 * modules whose data they reach.
 */
export function createComplianceModules(deps: {
  config: Config;
  db: Kysely<object>;
  tokens: AccessTokens;
  consents: Consents;
  audit: AuditLog;
  users: UsersModule;
  notifications: NotificationsModule;
  push: PushModule;
  payments: PaymentsModule;
  ledger: LedgerService;
  wallets: WalletsModule;
  webhooks: WebhooksModule;
  /** Buyers' address books, exported and erased with the rest of a person's data. */
  addresses?: AddressesService;
  /** Carts, exported and erased likewise. */
  carts?: CartsModule['privacy'];
}) {
  const { config, db, users, payments, wallets } = deps;
  const oauth = createOAuthModule({
    db,
    tokens: deps.tokens,
    // A client acts for its owner only while the owner's account is active.
    owners: {
      roleOf: async (userId) => {
        const owner = await users.users
          .retrieve({ userId: 'system', role: 'admin' }, userId)
          .catch(() => undefined);
        return owner?.status === 'active' ? owner.role : undefined;
      },
    },
    urls: { issuer: config.auth.issuer, publicUrl: config.publicUrl },
  });
  // A disabled account's integrations stop at once, not when their tokens expire.
  users.users.whenDisabled((userId) => oauth.oauth.endTokensOf(userId));
  const privacy = createPrivacyModule({
    db,
    consents: deps.consents,
    audit: deps.audit,
    sources: {
      users: users.users,
      userPrivacy: users.privacy,
      notifications: deps.notifications.notifications,
      push: deps.push.push,
      payments: payments.payments,
      orders: payments.orders,
      refunds: payments.refunds,
      obligations: payments.obligations,
      ledger: deps.ledger,
      wallet: {
        balances: (actor) => wallets.wallets.balances(actor),
        transactions: (actor, query) => wallets.history.transactions(actor, query),
      },
      webhooks: deps.webhooks.webhooks,
      oauth: { list: (actor) => oauth.oauth.list(actor), revokeClientsOf: oauth.revokeClientsOf },
      ...(deps.addresses ? { addresses: deps.addresses } : {}),
      ...(deps.carts ? { carts: deps.carts } : {}),
    },
  });
  return { oauth, privacy };
}
