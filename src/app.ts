import type { Logger } from 'pino';
import type { Config } from './config.js';
import { audienceOf, openEvents, paymentEventsOn } from './app.events.js';
import { prepareBackgroundJobs } from './app.jobs.js';
import { createComplianceModules } from './app.compliance.js';
import { createCommerceModules } from './app.commerce.js';
import { createMessagingModules } from './app.messaging.js';
import { createGrpcServer } from './app.grpc.js';
import { mountRestRoutes } from './app.routes.js';
import { type CatalogModule, createCatalogModule } from './modules/catalog/catalog.module.js';
import { createLedgerModule } from './modules/ledger/ledger.module.js';
import type { ReconcileOptions, ReconciliationReport } from './modules/ledger/ledger.routes.js';
import type { LedgerService } from './modules/ledger/ledger.service.js';
import { createPaymentsModule, type PaymentsModule } from './modules/payments/payments.module.js';
import type { NotificationsModule } from './modules/notifications/notifications.module.js';
import type { PushModule } from './modules/push/push.module.js';
import type { OAuthModule } from './modules/oauth/oauth.module.js';
import { Consents } from './modules/privacy/privacy.consents.js';
import type { PrivacyModule } from './modules/privacy/privacy.module.js';
import { AuditLog } from './platform/audit/audit.log.js';
import { installAudit } from './platform/audit/audit.hook.js';
import type { EventBus } from './platform/events/event-bus.js';
import { startTracing } from './platform/tracing/tracing.js';
import { databaseOutbox } from './platform/events/outbox.js';
import { OutboxRelay } from './platform/events/outbox.relay.js';
import { installHttpMetrics } from './platform/metrics/metrics.http.js';
import type { PlatformMetrics } from './platform/metrics/metrics.platform.js';
import { platformMetrics } from './app.gauges.js';
import type { GrpcServer } from './platform/grpc/server.js';
import { reconciliation } from './reconciliation.js';
import { type Role, planFor } from './roles.js';
import { connectServices } from './services.js';
import { createUsersModule, type UsersModule } from './modules/users/users.module.js';
import { configurePasswordHashing } from './modules/users/users.passwords.js';
import { createWebhooksModule, type WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { createMidtransModule } from './modules/midtrans/midtrans.module.js';
import type { LocalMidtrans } from './modules/midtrans/sandbox/sandbox.local.js';
import { createWalletsModule } from './modules/wallets/wallets.module.js';
import { installIdempotency } from './platform/idempotency/idempotency.hook.js';
import { IdempotencyStore } from './platform/idempotency/idempotency.store.js';
import { localInvalidationBus, redisInvalidationBus } from './platform/cache/invalidation-bus.js';
import { openRedis } from './platform/cache/open-redis.js';
import { openObjectStorage } from './platform/storage/open.js';
import type { KeyRing } from './platform/crypto/keyring.js';
import { loadKeyRing } from './platform/crypto/keyring.load.js';
import { loadSigningKeyPem } from './platform/auth/signing-key.js';
import { AccessTokens } from './platform/auth/tokens.js';
import { databaseRevocationStore, redisRevocationStore } from './platform/auth/revocation-stores.js';
import { RevokedSessions } from './platform/auth/revoked-sessions.js';
import { backgroundOf, type Database, requestsWaiting } from './platform/db/database.js';
import { pendingMigrations, readMigrations } from './platform/db/migrations.js';
import { healthRoutes } from './platform/http/health.routes.js';
import { RateLimits } from './platform/http/rate-limits.js';
import { createHttpApp, type HttpApp } from './platform/http/server.js';

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
  /** This platform's Prometheus series; main.ts serves them on METRICS_PORT. */
  metrics: PlatformMetrics;
  /** Every reconciliation check of the ledger, the payments against it and against gateways. */
  reconcile(options?: ReconcileOptions): Promise<ReconciliationReport>;
  /**
   * Starts the background jobs of a platform made with `deferJobs` (at once otherwise); does
   * nothing the second time, or once the platform is closing.
   */
  startJobs(): void;
  /** Stops accepting requests, lets in-flight ones finish, then closes Redis. The database is the caller's. */
  close(): Promise<void>;
}

export interface PlatformExtras {
  /** The bundled Midtrans sandbox served by this server: Midtrans for the modules, mounted on the app. */
  localMidtrans?: LocalMidtrans;
  /**
   * An all-in-one process whose gRPC serves a split gateway instead of clients (the tests'
   * split project stands it in for the split services): as the split services, it leaves
   * the budgets and the audit entries to the gateway and trusts the address it forwards.
   */
  behindGateway?: boolean;
  /**
   * Leaves the background jobs (deliveries, the outbox relay, sweeps) to `startJobs`: the
   * server starts them a second after it listens, so their first rounds, which on the
   * embedded database run on the thread that answers, do not hold up the first answers.
   */
  deferJobs?: boolean;
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
  // First: the HTTP and gRPC servers and the database hook in only when tracing is on.
  const stopTracing = await startTracing(config.tracing, `mamlaka-${role}`);
  const keyring = loadKeyRing(config.encryption, config.dataDir);
  const redis = config.redisUrl ? await openRedis(config.redisUrl, logger) : undefined;
  // Tells every instance at once that cached data changed or sessions ended.
  const bus = redis ? redisInvalidationBus(redis, logger) : localInvalidationBus();
  // Logged-out sessions, shared by every instance: through Redis when there is one, else
  // through the database (which every process of the split deployment has too).
  const revoked = new RevokedSessions(
    config.auth.accessTokenTtlMs,
    redis ? redisRevocationStore(redis) : databaseRevocationStore(database.db),
    logger,
    bus,
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
  // Hashes give way while requests wait for a database connection (users.passwords.ts).
  configurePasswordHashing(config.passwordHashing, requestsWaiting(database));
  // The event consumers, the messaging modules and the relay run on the background pool
  // (Database.background): at a peak of requests, events still reach mail and webhooks.
  const background = backgroundOf(database);
  const users = createUsersModule({
    db: database.db,
    background,
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
    bus,
    // A split process without Redis hears nothing of the others' writes (the gateway's admin
    // and recovery routes write users in process): it keeps no profiles.
    profileCacheTtlMs: role !== 'all' && !redis ? 0 : config.profileCacheTtlMs,
  });

  const storage = await openObjectStorage({
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    s3: config.s3.bucket ? { ...config.s3, bucket: config.s3.bucket } : undefined,
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

  const { ledger } = createLedgerModule({ db: database.db, shards: config.ledgerShards });
  // Made first: mail preferences record consents through it, webhooks ask it before sharing.
  const consents = new Consents(database.db);
  const audit = new AuditLog(database.db);
  const webhooks = createWebhooksModule({
    personalData: consents,
    db: background,
    keyring,
    logger,
    allowList: config.webhooks.allowList,
    fetchTimeoutMs: config.webhooks.timeoutMs,
  });
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
    checkoutGroups: {
      slots: config.checkoutGroupSlots,
      maxGroup: config.checkoutGroupSize,
      maxWaitMs: config.checkoutMaxWaitMs,
    },
    paymentExpiryMs: config.paymentExpiryMs,
    appUrl: config.publicUrl,
    refundTiming: config.refunds,
    defaultCurrency: config.defaultCurrency,
    midtrans: midtrans?.client,
    events: paymentEventsOn(outbox),
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
  const commerce = createCommerceModules({
    ...{
      config,
      db: database.db,
      keyring,
      logger,
      outbox,
      users,
      catalog,
      payments,
      ledger,
      wallets,
      midtrans,
    },
    localIris: extras.localMidtrans?.iris,
  });
  const { mailer, notifications, push } = await createMessagingModules({
    ...{ config, db: background, keyring, logger, outbox, consents, users },
  });
  const { oauth, privacy } = createComplianceModules({
    config,
    db: database.db,
    tokens,
    consents,
    audit,
    users,
    notifications,
    push,
    payments,
    ledger,
    wallets,
    webhooks,
    addresses: commerce.addresses,
    carts: commerce.carts,
  });
  // Only the role that relays needs the real bus and the consumers; the others write the outbox.
  const { events, relay, stopAnnouncing } = await openEvents(database, logger, config, {
    subscribe: plan.events
      ? async (bus) => {
          await webhooks.subscribe(bus, audienceOf);
          await notifications.subscribe(bus);
          await push.subscribe(bus);
        }
      : undefined,
  });

  const reconcile = reconciliation({ db: database.db, ledger, payments: payments.reconcile });
  const metrics = platformMetrics(database, plan);

  const grpc = createGrpcServer({
    config,
    logger,
    plan,
    facesClients: role === 'all' && !extras.behindGateway,
    tokens,
    limits,
    metrics,
    audit,
    users,
    catalog,
    payments,
  });
  const remote = plan.remote.length > 0 ? connectServices(config) : undefined;

  const app = await createHttpApp({ config, logger, tokens, limits });
  // Before any route: every route (and the 404 handler) is counted, and audited where its config asks.
  installHttpMetrics(app, metrics);
  installAudit(app, audit, { repeatWindowMs: config.auditRepeatWindowMs });
  const idempotency = new IdempotencyStore(database.db, {
    leaseMs: config.idempotencyLeaseMs,
    retentionMs: config.retention.idempotencyMs,
    keyring,
  });
  installIdempotency(app, idempotency);
  const migrations = readMigrations();
  healthRoutes(app, { pendingMigrations: () => pendingMigrations(database, migrations) });
  if (plan.rest) {
    mountRestRoutes(app, {
      config,
      database,
      keyring,
      outbox,
      remote,
      storage,
      audit,
      ledger,
      reconcile,
      users,
      catalog,
      payments,
      midtrans,
      wallets,
      commerce,
      webhooks,
      notifications,
      push,
      oauth,
      privacy,
    });
  }
  await extras.localMidtrans?.mount(app);
  await app.ready();

  const jobs = await prepareBackgroundJobs(
    {
      plan,
      config,
      logger,
      database,
      migrations,
      keyring,
      users,
      payments,
      webhooks,
      notifications,
      push,
      audit,
      idempotency,
      relay,
      metrics,
      reconcile,
    },
    () => commerce.startJobs(plan),
  );
  if (!extras.deferJobs) jobs.start();

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
    metrics,
    reconcile,
    startJobs: () => jobs.start(),
    async close() {
      await grpc.close();
      await jobs.stop();
      await relay.stop();
      stopAnnouncing();
      await events.close();
      await mailer.close();
      await app.close();
      remote?.close();
      await bus.close();
      await revoked.close();
      redis?.disconnect();
      await stopTracing();
    },
  };
}
