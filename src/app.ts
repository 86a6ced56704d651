import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type CatalogModule, createCatalogModule } from './modules/catalog/catalog.module.js';
import { createLedgerModule } from './modules/ledger/ledger.module.js';
import {
  ledgerRoutes,
  type ReconcileOptions,
  type ReconciliationReport,
} from './modules/ledger/ledger.routes.js';
import type { LedgerService } from './modules/ledger/ledger.service.js';
import { createPaymentsModule, type PaymentsModule } from './modules/payments/payments.module.js';
import {
  eventOwners,
  type OrderItemEventData,
  orderEventOwners,
  type PaymentEvents,
} from './modules/payments/payments.events.js';
import {
  createNotificationsModule,
  type NotificationsModule,
} from './modules/notifications/notifications.module.js';
import { createPushModule, type PushModule } from './modules/push/push.module.js';
import { loadVapidKeys } from './modules/push/push.vapid.js';
import { createOAuthModule, type OAuthModule } from './modules/oauth/oauth.module.js';
import { Consents } from './modules/privacy/privacy.consents.js';
import { createPrivacyModule, type PrivacyModule } from './modules/privacy/privacy.module.js';
import { startRetention } from './modules/privacy/privacy.retention.js';
import { AuditLog } from './platform/audit/audit.log.js';
import { installAudit } from './platform/audit/audit.hook.js';
import { auditRoutes } from './platform/audit/audit.routes.js';
import type { PublicPayment } from './modules/payments/payments.rules.js';
import type { DomainEvent } from './platform/events/event.js';
import type { EventBus } from './platform/events/event-bus.js';
import { openEventBus } from './platform/events/open.js';
import { databaseOutbox } from './platform/events/outbox.js';
import { OutboxRelay } from './platform/events/outbox.relay.js';
import { openMailer } from './platform/mail/open.js';
import { loadContracts } from './platform/grpc/contracts.js';
import { GrpcServer } from './platform/grpc/server.js';
import { createInProcessBus } from './platform/events/in-process.bus.js';
import { reconciliation } from './reconciliation.js';
import { type Role, planFor } from './roles.js';
import { connectServices } from './services.js';
import { createUsersModule, type UsersModule } from './modules/users/users.module.js';
import { createOidcModule } from './modules/users/oidc/oidc.module.js';
import { createWebhooksModule, type WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { createMidtransModule } from './modules/midtrans/midtrans.module.js';
import type { LocalMidtrans } from './modules/midtrans/sandbox/sandbox.local.js';
import { walletEventOwners } from './modules/wallets/wallets.events.js';
import { createWalletsModule } from './modules/wallets/wallets.module.js';
import { installIdempotency } from './platform/idempotency/idempotency.hook.js';
import { IdempotencyStore } from './platform/idempotency/idempotency.store.js';
import { localInvalidationBus, redisInvalidationBus } from './platform/cache/invalidation-bus.js';
import { uploadsRoutes } from './platform/http/uploads.routes.js';
import { openObjectStorage } from './platform/storage/open.js';
import type { KeyRing } from './platform/crypto/keyring.js';
import { loadKeyRing } from './platform/crypto/keyring.load.js';
import { encryptLegacyValues } from './platform/crypto/rotation.js';
import { encryptedColumns } from './encrypted-columns.js';
import { loadSigningKeyPem } from './platform/auth/signing-key.js';
import { AccessTokens } from './platform/auth/tokens.js';
import { databaseRevocationStore, redisRevocationStore } from './platform/auth/revocation-stores.js';
import { RevokedSessions } from './platform/auth/revoked-sessions.js';
import type { Database } from './platform/db/database.js';
import { pendingMigrations, readMigrations } from './platform/db/migrations.js';
import { healthRoutes } from './platform/http/health.routes.js';
import { RateLimits } from './platform/http/rate-limits.js';
import { createHttpApp, type HttpApp } from './platform/http/server.js';
import { webAppRoutes } from './platform/http/web-app.routes.js';

export interface Platform {
  app: HttpApp;
  database: Database;
  /** Encrypts personal data and secrets at rest. */
  keyring: KeyRing;
  users: UsersModule;
  catalog: CatalogModule;
  ledger: LedgerService;
  payments: PaymentsModule;
  webhooks: WebhooksModule;
  notifications: NotificationsModule;
  push: PushModule;
  /** API clients of integrators and the OAuth 2.0 client-credentials grant. */
  oauth: OAuthModule;
  /** GDPR / CCPA rights: consents, do-not-sell, export, erasure. */
  privacy: PrivacyModule;
  /** The append-only audit log of personal-data access and admin actions. */
  audit: AuditLog;
  events: { bus: EventBus; relay: OutboxRelay };
  /** The gRPC services, bound to no port until the caller listens. */
  grpc: GrpcServer;
  /** Every reconciliation check of the ledger, the payments against it and against gateways. */
  reconcile(options?: ReconcileOptions): Promise<ReconciliationReport>;
  /** Stops accepting requests, lets in-flight ones finish, then closes Redis. The database is the caller's. */
  close(): Promise<void>;
}

/** Whose webhooks hear of an event: a payment's buyer and sellers, an order item's buyer and seller, a payout's seller. */
function audienceOf(event: DomainEvent): string[] {
  if (event.type.startsWith('order.')) return orderEventOwners(event.data as OrderItemEventData);
  if (event.type.startsWith('payment.')) return eventOwners(event.data as PublicPayment);
  if (event.type.startsWith('refund.'))
    return eventOwners((event.data as { payment: PublicPayment }).payment);
  return walletEventOwners(event);
}

export interface PlatformExtras {
  /** The bundled Midtrans sandbox served by this server: Midtrans for the modules, mounted on the app. */
  localMidtrans?: LocalMidtrans;
}

/**
 * Composition root shared by the server, the CLI and the tests: every module wired to
 * the database and the gateway, nothing listening yet.
 */
export async function createPlatform(
  config: Config,
  logger: Logger,
  database: Database,
  role: Role = 'all',
  extras: PlatformExtras = {},
): Promise<Platform> {
  const plan = planFor(role);
  const keyring = loadKeyRing(config.encryption, config.dataDir);
  // Redis's client is loaded only when Redis is used.
  const redis = config.redisUrl
    ? new (await import('ioredis')).Redis(config.redisUrl, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
      })
    : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  // Logged-out sessions, shared by every instance: through Redis when there is one, else
  // through the database (which every process of the split deployment has too).
  const revoked = new RevokedSessions(
    config.auth.accessTokenTtlMs,
    redis ? redisRevocationStore(redis) : databaseRevocationStore(database.db),
    logger,
  );
  await revoked.start();
  const tokens = await AccessTokens.create(loadSigningKeyPem(config.auth.signingKeyPem, config.dataDir), {
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    ttlMs: config.auth.accessTokenTtlMs,
    revoked,
  });
  const limits = new RateLimits(config.rateLimits, redis);
  const outbox = databaseOutbox;
  const users = createUsersModule({
    db: database.db,
    keyring,
    tokens,
    limits,
    refreshTokenTtlMs: config.auth.refreshTokenTtlMs,
    refreshTokenReuseGraceMs: config.auth.refreshTokenReuseGraceMs,
    outbox,
    recovery: {
      emailVerificationTtlMs: config.auth.emailVerificationTtlMs,
      passwordResetTtlMs: config.auth.passwordResetTtlMs,
      appUrl: config.publicUrl,
      requireAdminMfa: config.auth.requireAdminMfa,
      issuer: config.mail.brandName,
    },
  });

  const bus = redis ? redisInvalidationBus(redis, logger) : localInvalidationBus();
  const storage = await openObjectStorage({
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    s3: config.s3.bucket
      ? {
          bucket: config.s3.bucket,
          region: config.s3.region,
          endpoint: config.s3.endpoint,
          accessKeyId: config.s3.accessKeyId,
          secretAccessKey: config.s3.secretAccessKey,
          publicUrl: config.s3.publicUrl,
        }
      : undefined,
  });
  const catalog = createCatalogModule({
    db: database.db,
    storage,
    bus,
    logger,
    defaultCurrency: config.defaultCurrency,
    imageMaxBytes: config.imageMaxBytes,
    // A split gateway hears of the services' changes only through a shared (Redis) bus;
    // without one it must not keep what it read.
    cacheTtlMs: plan.remote.length > 0 && !redis ? 0 : config.catalogCacheTtlMs,
    sandbox: config.mode === 'sandbox',
  });

  const { ledger } = createLedgerModule({ db: database.db });
  // Made first: mail preferences record consents through it, webhooks ask it before sharing.
  const consents = new Consents(database.db);
  const audit = new AuditLog(database.db);
  const webhooks = createWebhooksModule({
    personalData: consents,
    db: database.db,
    keyring,
    logger,
    allowList: config.webhooks.allowList,
    fetchTimeoutMs: config.webhooks.timeoutMs,
  });
  const paymentEvents: PaymentEvents = {
    emit: async (trx, type, payment, extra) => {
      const data = extra ? { ...payment, ...extra } : payment;
      const types = typeof type === 'string' ? [type] : type;
      await outbox.write(
        trx,
        types.map((each) => ({ type: each, aggregate: `payment:${payment.id}`, data })),
      );
    },
    // On the payment's aggregate, so a refund's events stay in order with its payment's.
    emitRefund: async (trx, type, refund, { payment }) => {
      await outbox.write(trx, [{ type, aggregate: `payment:${payment.id}`, data: { ...refund, payment } }]);
    },
    emitOrder: async (trx, type, data) => {
      await outbox.write(trx, [{ type, aggregate: `order:${data.order_id}`, data }]);
    },
  };
  const { serverKey, snapUrl, apiUrl } = config.midtrans;
  const midtransSettings =
    extras.localMidtrans?.settings ??
    (serverKey && snapUrl && apiUrl
      ? { serverKey, snapUrl, apiUrl, timeoutMs: config.midtrans.timeoutMs }
      : undefined);
  const midtrans = midtransSettings
    ? createMidtransModule({ db: database.db, logger, settings: midtransSettings })
    : undefined;
  const payments = createPaymentsModule({
    db: database.db,
    catalog: catalog.catalog,
    ledger,
    logger,
    defaultMethod: config.defaultPaymentMethod ?? (midtrans ? 'midtrans' : 'wallet'),
    feeBps: config.platformFeeBps,
    limits: { maxOrderAmountMinor: config.maxOrderAmountMinor, maxLineQuantity: config.maxLineQuantity },
    paymentExpiryMs: config.paymentExpiryMs,
    appUrl: config.publicUrl,
    refundTiming: config.refunds,
    defaultCurrency: config.defaultCurrency,
    midtrans: midtrans?.client,
    events: paymentEvents,
  });
  const wallets = createWalletsModule({
    db: database.db,
    ledger,
    mode: config.mode,
    maxTopUpMinor: config.maxOrderAmountMinor,
    outbox,
    midtrans: midtrans?.client,
    appUrl: config.publicUrl,
  });
  const mailer = await openMailer({ smtpUrl: config.smtpUrl, mailDir: path.join(config.dataDir, 'mail') });
  const notifications = createNotificationsModule({
    consents,
    db: database.db,
    keyring,
    directory: users.users,
    mailer,
    outbox,
    logger,
    branding: {
      productName: config.mail.brandName,
      from: config.mailFrom,
      supportEmail: config.mail.supportAddress,
      accentColor: config.mail.accentColor,
      footer: config.mail.footer,
    },
    policy: { baseDelayMs: config.mail.retryBaseMs, maxDelayMs: 3_600_000, maxAgeMs: 2 * 86_400_000 },
    leaseMs: 120_000,
  });
  const push = createPushModule({
    db: database.db,
    logger,
    mode: config.mode,
    vapid: {
      ...loadVapidKeys(config.push.vapidKeys, config.dataDir),
      subject: config.push.vapidSubject,
    },
    policy: { baseDelayMs: config.push.retryBaseMs },
  });
  const oauth = createOAuthModule({
    db: database.db,
    tokens,
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
  const privacy = createPrivacyModule({
    db: database.db,
    consents,
    audit,
    sources: {
      users: users.users,
      userPrivacy: users.privacy,
      notifications: notifications.notifications,
      push: push.push,
      payments: payments.payments,
      orders: payments.orders,
      refunds: payments.refunds,
      obligations: payments.obligations,
      ledger,
      wallet: {
        balances: (actor) => wallets.wallets.balances(actor),
        transactions: (actor, query) => wallets.history.transactions(actor, query),
      },
      webhooks: webhooks.webhooks,
      oauth: { list: (actor) => oauth.oauth.list(actor), revokeClientsOf: oauth.revokeClientsOf },
    },
  });
  // Only the role that relays needs the real bus; the others just write the outbox.
  const events = plan.events
    ? await openEventBus({ natsUrl: config.natsUrl, stream: config.events.natsStream, logger })
    : createInProcessBus({ logger });
  if (plan.events) {
    await webhooks.subscribe(events, audienceOf);
    await notifications.subscribe(events);
    await push.subscribe(events);
  }
  const relay = new OutboxRelay(database.db, events, logger, {
    pollIntervalMs: config.events.outboxPollIntervalMs,
  });

  const reconcile = reconciliation({ db: database.db, ledger, payments: payments.reconcile });

  // In the all-in-one process gRPC faces clients as REST does, so it spends the same budgets;
  // a split service sits behind the gateway, which spent them and forwards the client's address.
  const grpc = new GrpcServer(
    {
      tokens,
      logger,
      limits: role === 'all' ? limits : undefined,
      trustForwardedFor: role !== 'all' || config.trustProxy,
      tls: config.tls,
    },
    loadContracts().definitions,
  );
  if (plan.grpc.includes('users')) users.grpc(grpc);
  if (plan.grpc.includes('catalog')) catalog.grpc?.(grpc);
  if (plan.grpc.includes('payments')) payments.grpc?.(grpc);
  const remote = plan.remote.length > 0 ? connectServices(config) : undefined;

  const app = await createHttpApp({ config, logger, tokens, limits });
  // Before any route: it attaches to the routes whose config asks for an audit entry.
  installAudit(app, audit);
  const idempotency = new IdempotencyStore(database.db, {
    leaseMs: config.idempotencyLeaseMs,
    retentionMs: config.retention.idempotencyMs,
    keyring,
  });
  installIdempotency(app, idempotency);
  const migrations = readMigrations();
  healthRoutes(app, { pendingMigrations: () => pendingMigrations(database, migrations) });
  if (plan.rest) {
    users.routes(app, remote?.users);
    createOidcModule({
      db: database.db,
      keyring,
      settings: config.oidc,
      publicUrl: config.publicUrl,
      sessions: users.sessions,
      outbox,
    }).routes(app);
    catalog.routes(app, remote?.catalog);
    payments.routes(app, remote?.payments);
    midtrans?.routes(app, [
      payments.gatewayOrders,
      ...(wallets.gatewayOrders ? [wallets.gatewayOrders] : []),
    ]);
    wallets.routes(app);
    webhooks.routes(app);
    notifications.routes(app);
    push.routes(app);
    oauth.routes(app);
    privacy.routes(app);
    auditRoutes(app, { log: audit });
    ledgerRoutes(app, { ledger, reconcile });
    if (storage.kind === 'local') uploadsRoutes(app, storage);
    webAppRoutes(app, {
      mode: config.mode,
      imageOrigins: [config.s3.publicUrl, config.s3.endpoint].flatMap((url) =>
        url ? [new URL(url).origin] : [],
      ),
    });
  }
  await extras.localMidtrans?.mount(app);
  await app.ready();

  const stops: (() => void)[] = [];
  // A database upgraded in place still holds plaintext from before encryption at rest. (One
  // not migrated yet, as the API document generator's, has nothing to encrypt.)
  if (plan.legacyEncryption && (await pendingMigrations(database, migrations)).length === 0)
    stops.push(await encryptLegacyValues(database.db, keyring, encryptedColumns, logger));
  if (plan.expiry) stops.push(payments.startExpiry(config.paymentExpirySweepMs));
  if (plan.refundReconciler) stops.push(payments.startRefundReconciler(config.refunds.reconcileIntervalMs));
  if (plan.delivery) {
    stops.push(webhooks.startDelivery(config.webhooks.deliveryIntervalMs));
    stops.push(notifications.startSending(config.mail.sendIntervalMs));
    stops.push(push.startSending(config.push.sendIntervalMs));
  }
  if (plan.events) relay.start();
  if (plan.idempotencyCleanup) {
    const idempotencyCleanup = setInterval(() => {
      idempotency
        .deleteExpired()
        .catch((error: unknown) => logger.warn({ err: error }, 'idempotency cleanup failed'));
    }, 3_600_000);
    idempotencyCleanup.unref();
    stops.push(() => clearInterval(idempotencyCleanup));
  }

  if (plan.retention) {
    const { retention } = config;
    stops.push(
      startRetention(
        [
          {
            name: 'notifications',
            periodMs: retention.notificationsMs,
            deleteOlderThan: (cutoff) => notifications.notifications.deleteOlderThan(cutoff),
          },
          {
            name: 'push',
            periodMs: retention.notificationsMs,
            deleteOlderThan: (cutoff) => push.push.deleteOlderThan(cutoff),
          },
          {
            name: 'webhook_deliveries',
            periodMs: retention.deliveriesMs,
            deleteOlderThan: (cutoff) => webhooks.webhooks.deleteOlderThan(cutoff),
          },
          {
            name: 'audit',
            periodMs: retention.auditMs,
            deleteOlderThan: (cutoff) => audit.deleteOlderThan(cutoff),
          },
        ],
        retention.intervalMs,
        logger,
      ),
    );
  }

  return {
    app,
    database,
    keyring,
    users,
    catalog,
    ledger,
    payments,
    webhooks,
    notifications,
    push,
    oauth,
    privacy,
    audit,
    events: { bus: events, relay },
    grpc,
    reconcile,
    async close() {
      await grpc.close();
      for (const stop of stops) stop();
      await relay.stop();
      await events.close();
      await mailer.close();
      await app.close();
      remote?.close();
      await bus.close();
      await revoked.close();
      redis?.disconnect();
    },
  };
}
