import type { Transaction } from 'kysely';
import type { Actor } from '../../platform/auth/policy.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { PaymentObligations } from '../payments/payments.obligations.js';
import type { Orders } from '../payments/payments.orders.js';
import type { Refunds } from '../payments/payments.refunds.js';
import type { PaymentsService } from '../payments/payments.service.js';
import type { PushService } from '../push/push.service.js';
import type { UserPrivacy } from '../users/users.privacy.js';
import type { UsersService } from '../users/users.service.js';
import type { WalletHistory } from '../wallets/wallets.history.js';
import type { WalletsService } from '../wallets/wallets.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';

/**
 * The other modules' facades the privacy module works through: what it reads for an export
 * and what it asks to erase. It names none of their tables.
 */
export interface ExportSources {
  users: Pick<UsersService, 'retrieve'>;
  userPrivacy: Pick<UserPrivacy, 'sessionsOf'>;
  notifications: Pick<NotificationsService, 'preferences'>;
  push: Pick<PushService, 'subscriptionsOf'>;
  payments: Pick<PaymentsService, 'list'>;
  orders: Pick<Orders, 'list'>;
  refunds: Pick<Refunds, 'listRefunds'>;
  wallet: Pick<WalletsService, 'balances'> & Pick<WalletHistory, 'transactions'>;
  webhooks: Pick<WebhooksService, 'exportOf'>;
  /** API clients (OAuth), when the module is there. */
  oauth?: { list(actor: Actor | undefined): Promise<unknown[]> };
  /** The address book, when the module is there. */
  addresses?: { exportOf(userId: string): Promise<unknown[]> };
  /** Carts, when the module is there. */
  carts?: { exportOf(userId: string): Promise<unknown[]> };
}

export interface ErasureTargets {
  userPrivacy: Pick<UserPrivacy, 'account' | 'confirmPassword' | 'erase' | 'revokeAccessTokens'>;
  obligations: Pick<PaymentObligations, 'of'>;
  ledger: Pick<LedgerService, 'wallets'>;
  notifications: { eraseUser(trx: Transaction<object>, userId: string): Promise<void> };
  push: { eraseUser(trx: Transaction<object>, userId: string): Promise<void> };
  webhooks: { eraseOwner(trx: Transaction<object>, userId: string): Promise<void> };
  oauth?: { revokeClientsOf(userId: string): Promise<number> };
  addresses?: { eraseUser(trx: Transaction<object>, userId: string): Promise<void> };
  carts?: { eraseUser(trx: Transaction<object>, userId: string): Promise<void> };
}
