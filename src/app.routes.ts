import type { Config } from './config.js';
import type { createCommerceModules, RemoteServices } from './app.commerce.js';
import type { CatalogModule } from './modules/catalog/catalog.module.js';
import {
  ledgerRoutes,
  type ReconcileOptions,
  type ReconciliationReport,
} from './modules/ledger/ledger.routes.js';
import type { LedgerService } from './modules/ledger/ledger.service.js';
import type { createMidtransModule } from './modules/midtrans/midtrans.module.js';
import type { NotificationsModule } from './modules/notifications/notifications.module.js';
import type { OAuthModule } from './modules/oauth/oauth.module.js';
import type { PaymentsModule } from './modules/payments/payments.module.js';
import type { PrivacyModule } from './modules/privacy/privacy.module.js';
import type { PushModule } from './modules/push/push.module.js';
import { createOidcModule } from './modules/users/oidc/oidc.module.js';
import type { UsersModule } from './modules/users/users.module.js';
import type { createWalletsModule } from './modules/wallets/wallets.module.js';
import type { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import type { AuditLog } from './platform/audit/audit.log.js';
import { auditRoutes } from './platform/audit/audit.routes.js';
import type { KeyRing } from './platform/crypto/keyring.js';
import type { Database } from './platform/db/database.js';
import type { Outbox } from './platform/events/outbox.js';
import type { HttpApp } from './platform/http/server.js';
import { uploadsRoutes } from './platform/http/uploads.routes.js';
import { webAppRoutes } from './platform/http/web-app.routes.js';
import type { ObjectStorage } from './platform/storage/object-storage.js';

/** Everything the REST API and the web app are served from. */
export interface RestParts {
  config: Config;
  database: Database;
  keyring: KeyRing;
  outbox: Outbox;
  /** The split deployment's services, when this process is its gateway. */
  remote: RemoteServices | undefined;
  storage: ObjectStorage;
  audit: AuditLog;
  ledger: LedgerService;
  reconcile: (options: ReconcileOptions) => Promise<ReconciliationReport>;
  users: UsersModule;
  catalog: CatalogModule;
  payments: PaymentsModule;
  midtrans: ReturnType<typeof createMidtransModule> | undefined;
  wallets: ReturnType<typeof createWalletsModule>;
  commerce: ReturnType<typeof createCommerceModules>;
  webhooks: WebhooksModule;
  notifications: NotificationsModule;
  push: PushModule;
  oauth: OAuthModule;
  privacy: PrivacyModule;
}

/** Mounts every module's REST routes and the web app, on a role that serves REST. */
export function mountRestRoutes(app: HttpApp, parts: RestParts): void {
  const { config, remote, users, payments, wallets } = parts;
  users.routes(app, remote?.users);
  createOidcModule({
    db: parts.database.db,
    keyring: parts.keyring,
    settings: config.oidc,
    publicUrl: config.publicUrl,
    sessions: users.sessions,
    outbox: parts.outbox,
    profiles: users.profiles,
  }).routes(app);
  parts.catalog.routes(app, remote?.catalog);
  payments.routes(app, remote?.payments);
  parts.midtrans?.routes(app, [
    payments.gatewayOrders,
    ...(wallets.gatewayOrders ? [wallets.gatewayOrders] : []),
  ]);
  wallets.routes(app);
  parts.commerce.routes(app, remote);
  parts.webhooks.routes(app);
  parts.notifications.routes(app);
  parts.push.routes(app);
  parts.oauth.routes(app);
  parts.privacy.routes(app);
  auditRoutes(app, { log: parts.audit });
  ledgerRoutes(app, { ledger: parts.ledger, reconcile: parts.reconcile });
  if (parts.storage.kind === 'local') uploadsRoutes(app, parts.storage);
  webAppRoutes(app, {
    mode: config.mode,
    imageOrigins: [config.s3.publicUrl, config.s3.endpoint].flatMap((url) =>
      url ? [new URL(url).origin] : [],
    ),
  });
}
