import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_AMOUNT_MINOR } from './platform/money.js';
import { DEFAULT_STATEMENT_CACHE } from './platform/db/prepared-statements.js';
import {
  address,
  boolean,
  boundedDuration,
  ConfigError,
  corsOrigins,
  duration,
  integer,
  mailbox,
  minorAmount,
  oneOf,
  read,
  readSecret,
  url,
  vapidKeys,
  vapidSubject,
  webhookAllowList,
  type Env,
} from './config.env.js';
import { encryptionSettings, type OidcSettings, oidcSettings } from './config.identity.js';
import type { EncryptionSettings } from './platform/crypto/keyring.load.js';
import { type TlsSettings, tlsSettings } from './config.tls.js';
import { type TracingSettings, tracingSettings } from './config.tracing.js';
import { type EventsSettings, eventsSettings } from './config.events.js';
import { type PayoutsSettings, payoutsSettings } from './config.payouts.js';
import { type RetentionSettings, retentionSettings } from './config.retention.js';
import { type MetricsSettings, metricsSettings } from './config.metrics.js';
import { type PasswordHashingSettings, passwordHashingSettings } from './config.passwords.js';

export { ConfigError, SANDBOX_WEBHOOK_ALLOW_LIST } from './config.env.js';
export type { OidcSettings } from './config.identity.js';

/**
 * Every setting Mamlaka reads, parsed and validated once at boot. Nothing else in the
 * code reads `process.env`: a bad value fails start-up with a message naming the variable
 * instead of surfacing later as a strange runtime error.
 */
export interface Config {
  mode: 'sandbox' | 'live';
  host: string;
  port: number;
  /** Without a gRPC certificate the listener speaks plain text: in live mode it then stays on loopback unless GRPC_HOST says otherwise. */
  grpcHost: string;
  grpcPort: number;
  /** Certificates for HTTPS, gRPC over TLS and the split shape's mutual TLS (config.tls.ts); none: plain text. */
  tls: TlsSettings;
  /** OpenTelemetry tracing (config.ops.ts): off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing: TracingSettings;
  /** Payouts to banks through Midtrans Iris (config.payouts.ts): off unless IRIS_* are set. */
  payouts: PayoutsSettings;
  /** Prometheus metrics on their own listener, and the periodic ledger check (config.metrics.ts). */
  metrics: MetricsSettings;
  /** How many password hashes run at once, and how many may wait (config.passwords.ts). */
  passwordHashing: PasswordHashingSettings;
  /** Where the split gateway finds the services (host:port), and how long it waits for one. */
  services: {
    users: string | undefined;
    catalog: string | undefined;
    payments: string | undefined;
    callTimeoutMs: number;
  };
  dataDir: string;
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Connections of the background pool (Database.background); 0: background work shares the pool. */
  databaseBackgroundPoolSize: number;
  /** Parameterised statements each PostgreSQL connection keeps prepared; 0: none. */
  databaseStatementCache: number;
  redisUrl: string | undefined;
  natsUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  events: EventsSettings;
  mail: {
    brandName: string;
    supportAddress: string | undefined;
    accentColor: string | undefined;
    footer: string | undefined;
    sendIntervalMs: number;
    /** First retry after a failed send; doubles per attempt up to an hour, for two days. */
    retryBaseMs: number;
  };
  s3: {
    bucket: string | undefined;
    endpoint: string | undefined;
    region: string;
    accessKeyId: string | undefined;
    secretAccessKey: string | undefined;
    publicUrl: string | undefined;
  };
  imageMaxBytes: number;
  /** The AES-256-GCM key ring for data at rest (see platform/crypto/keyring.load.ts); generated under DATA_DIR in sandbox. */
  encryption: EncryptionSettings;
  /** Sign in with OpenID Connect; `issuer` undefined: off (the routes answer 404 `oidc_not_configured`). */
  oidc: OidcSettings;
  push: {
    /** Base64url VAPID key pair; when absent one is generated under DATA_DIR (sandbox only). */
    vapidKeys: { publicKey: string; privateKey: string } | undefined;
    /** A mailto: or https: URL push services can reach the operator at. */
    vapidSubject: string;
    sendIntervalMs: number;
    /** First retry after a failed push; doubles per attempt up to an hour, while the push's TTL lasts. */
    retryBaseMs: number;
  };
  webhooks: { allowList: string[]; deliveryIntervalMs: number; timeoutMs: number };
  catalogCacheTtlMs: number;
  /** Longest a cached user profile may live if an invalidation message is lost. */
  profileCacheTtlMs: number;
  /** AUDIT_REPEAT_WINDOW: a repeated read (own profile) is audited once per session and origin per window; 0 = every read. */
  auditRepeatWindowMs: number;
  midtrans: {
    serverKey: string | undefined;
    snapUrl: string | undefined;
    apiUrl: string | undefined;
    timeoutMs: number;
  };
  platformFeeBps: number;
  /**
   * CHECKOUT_GROUP_SIZE: the most wallet checkouts committed in one transaction when they
   * queue (payments.checkout-queue.ts); 1 gives every checkout a transaction of its own.
   */
  checkoutGroupSize: number;
  /** CHECKOUT_GROUP_SLOTS: wallet checkout transactions running at once before the others queue into groups. */
  checkoutGroupSlots: number;
  /** CHECKOUT_MAX_WAIT: the longest a queued wallet checkout waits before it is refused (503, Retry-After). */
  checkoutMaxWaitMs: number;
  /** LEDGER_SHARDS: shard rows per ledger account for postings that skip its row lock (ledger.shards.ts). */
  ledgerShards: number;
  /** The most one order (and one wallet top-up) may total, in minor units of its currency. */
  maxOrderAmountMinor: bigint;
  /** The most of one product one order may buy. */
  maxLineQuantity: number;
  paymentExpiryMs: number;
  paymentExpirySweepMs: number;
  /** CART_TTL: a cart is deleted this long after its last change. */
  cartTtlMs: number;
  /** CART_EXPIRY_SWEEP: how often expired carts are deleted. */
  cartExpirySweepMs: number;
  refunds: {
    /** How long a pending refund waits before the reconciler first asks its gateway. */
    firstCheckDelayMs: number;
    maxCheckDelayMs: number;
    /** How often the reconciler looks for refunds due a check. */
    reconcileIntervalMs: number;
  };
  /** How long an idempotent request's key stays locked after its holder stops renewing it. */
  idempotencyLeaseMs: number;
  /** How long records are kept before the retention job deletes them (config.retention.ts). */
  retention: RetentionSettings;
  /** Unset: Midtrans when it is configured (as the seed's clients expect), else the wallet. */
  defaultPaymentMethod: 'wallet' | 'manual' | 'midtrans' | undefined;
  defaultCurrency: string;
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** Origins allowed cross-origin access; `true`: any real origin (sandbox only), never `null`. */
  corsOrigins: string[] | true;
  auth: {
    issuer: string;
    audience: string;
    accessTokenTtlMs: number;
    refreshTokenTtlMs: number;
    /**
     * How long a spent refresh token may be presented again as a retry of a response the
     * client lost (while its successor is unused) instead of as theft; 0 turns it off.
     */
    refreshTokenReuseGraceMs: number;
    /** PKCS#8 PEM of the Ed25519 signing key; when absent one is generated under DATA_DIR. */
    signingKeyPem: string | undefined;
    /** How long an e-mail verification link works (EMAIL_VERIFICATION_TTL, 24 h). */
    emailVerificationTtlMs: number;
    /** How long a password-reset link works (PASSWORD_RESET_TTL, 30 min). */
    passwordResetTtlMs: number;
    /** Admins must sign in with TOTP: always in live mode; in sandbox when REQUIRE_ADMIN_MFA is set. */
    requireAdminMfa: boolean;
  };
  rateLimits: {
    loginPerIp: number;
    loginWindowMs: number;
    /** Failed password checks of one account from one client address, per login window. */
    loginFailuresPerAddress: number;
    /** Failed password checks of one account from every address together, per `loginAccountWindowMs`. */
    loginFailuresPerAccount: number;
    loginAccountWindowMs: number;
    registerPerIp: number;
    registerWindowMs: number;
    requestsPerUser: number;
    requestsWindowMs: number;
    /** Midtrans notifications per client IP: the endpoint needs no login, so only this bounds it. */
    midtransPerIp: number;
    midtransWindowMs: number;
    /** Password-reset and verification mails one address (or account) may trigger per `recoveryWindowMs`. */
    recoveryPerAccount: number;
    recoveryWindowMs: number;
    redisPrefix: string;
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(
  env: Env = process.env,
  readFile: (p: string) => string = defaultReadFile,
): Config {
  const mode = oneOf(env, 'MAMLAKA_MODE', ['sandbox', 'live'] as const, 'sandbox');
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const host = read(env, 'HOST') ?? '0.0.0.0';
  const dataDir = path.resolve(read(env, 'DATA_DIR') ?? './data');
  const publicUrl = (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(
    /\/$/,
    '',
  );
  const currency = (read(env, 'DEFAULT_CURRENCY') ?? 'IDR').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new ConfigError('DEFAULT_CURRENCY', 'must be an ISO 4217 code');
  const signingKeyPem = readSecret(env, 'JWT_PRIVATE_KEY', readFile);
  if (signingKeyPem && !signingKeyPem.includes('BEGIN PRIVATE KEY')) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'must be a PKCS#8 PEM Ed25519 private key');
  }

  const tls = tlsSettings(env, readFile);
  const config: Config = {
    mode,
    host,
    port,
    // Plain-text gRPC on a public interface would carry live passwords and tokens unencrypted:
    // in live mode it is reachable from elsewhere only over TLS or when the operator says where.
    grpcHost: read(env, 'GRPC_HOST') ?? (mode === 'live' && !tls.grpcCert ? '127.0.0.1' : host),
    grpcPort: integer(env, 'GRPC_PORT', 50051, 0, 65535),
    tls,
    tracing: tracingSettings(env),
    payouts: payoutsSettings(env, readFile),
    metrics: metricsSettings(env),
    passwordHashing: passwordHashingSettings(env),
    services: {
      users: address(env, 'USERS_SERVICE_ADDRESS'),
      catalog: address(env, 'CATALOG_SERVICE_ADDRESS'),
      payments: address(env, 'PAYMENTS_SERVICE_ADDRESS'),
      callTimeoutMs: duration(env, 'SERVICE_CALL_TIMEOUT', '10s'),
    },
    dataDir,
    publicUrl,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    databaseBackgroundPoolSize: integer(env, 'DATABASE_BACKGROUND_POOL_SIZE', 4, 0, 100),
    databaseStatementCache: integer(env, 'DATABASE_STATEMENT_CACHE', DEFAULT_STATEMENT_CACHE, 0, 10_000),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:']),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: mailbox(env, 'MAIL_FROM', 'Mamlaka <no-reply@mamlaka.local>'),
    events: eventsSettings(env),
    mail: {
      brandName: read(env, 'MAIL_BRAND_NAME') ?? 'Mamlaka',
      supportAddress: read(env, 'MAIL_SUPPORT_ADDRESS'),
      accentColor: read(env, 'MAIL_ACCENT_COLOR'),
      footer: read(env, 'MAIL_FOOTER'),
      sendIntervalMs: duration(env, 'MAIL_SEND_INTERVAL', '1s'),
      retryBaseMs: duration(env, 'MAIL_RETRY_BASE', '10s'),
    },
    s3: {
      bucket: read(env, 'S3_BUCKET'),
      endpoint: url(env, 'S3_ENDPOINT', ['http:', 'https:']),
      region: read(env, 'S3_REGION') ?? 'us-east-1',
      accessKeyId: read(env, 'S3_ACCESS_KEY_ID'),
      secretAccessKey: readSecret(env, 'S3_SECRET_ACCESS_KEY', readFile),
      publicUrl: url(env, 'S3_PUBLIC_URL', ['http:', 'https:'])?.replace(/\/$/, ''),
    },
    imageMaxBytes: integer(env, 'IMAGE_MAX_BYTES', 5 * 1_048_576, 1024, 100 * 1_048_576),
    encryption: encryptionSettings(env, readFile),
    oidc: oidcSettings(env, mode, readFile),
    push: {
      vapidKeys: vapidKeys(env, readFile),
      vapidSubject: vapidSubject(env, read(env, 'MAIL_SUPPORT_ADDRESS')),
      sendIntervalMs: duration(env, 'PUSH_SEND_INTERVAL', '1s'),
      retryBaseMs: duration(env, 'PUSH_RETRY_BASE', '10s'),
    },
    webhooks: {
      allowList: webhookAllowList(env, mode),
      deliveryIntervalMs: duration(env, 'WEBHOOK_DELIVERY_INTERVAL', '5s'),
      timeoutMs: duration(env, 'WEBHOOK_TIMEOUT', '10s'),
    },
    catalogCacheTtlMs: duration(env, 'CATALOG_CACHE_TTL', '60s'),
    profileCacheTtlMs: duration(env, 'PROFILE_CACHE_TTL', '60s'),
    auditRepeatWindowMs: boundedDuration(env, 'AUDIT_REPEAT_WINDOW', '5m', 3_600_000),
    midtrans: {
      serverKey: readSecret(env, 'MIDTRANS_SERVER_KEY', readFile),
      snapUrl: url(env, 'MIDTRANS_SNAP_URL', ['http:', 'https:']),
      apiUrl: url(env, 'MIDTRANS_API_URL', ['http:', 'https:']),
      timeoutMs: duration(env, 'MIDTRANS_TIMEOUT', '10s'),
    },
    platformFeeBps: integer(env, 'PLATFORM_FEE_BPS', 250, 0, 10_000),
    checkoutGroupSize: integer(env, 'CHECKOUT_GROUP_SIZE', 32, 1, 50),
    checkoutGroupSlots: integer(env, 'CHECKOUT_GROUP_SLOTS', 2, 1, 500),
    checkoutMaxWaitMs: duration(env, 'CHECKOUT_MAX_WAIT', '5s'),
    // The default and bound are DEFAULT_LEDGER_SHARDS and MAX_LEDGER_SHARDS (ledger.shards.ts).
    ledgerShards: integer(env, 'LEDGER_SHARDS', 16, 1, 64),
    // Within the ledger's own limit, so that every order the checkout accepts can be booked.
    maxOrderAmountMinor: minorAmount(env, 'MAX_ORDER_AMOUNT_MINOR', 10n ** 12n, 1n, MAX_AMOUNT_MINOR),
    // 50 lines of this many still fit the int4 quantities of the database and the contract.
    maxLineQuantity: integer(env, 'MAX_LINE_QUANTITY', 10_000, 1, 1_000_000),
    paymentExpiryMs: duration(env, 'PAYMENT_EXPIRY', '24h'),
    paymentExpirySweepMs: duration(env, 'PAYMENT_EXPIRY_SWEEP', '15s'),
    cartTtlMs: duration(env, 'CART_TTL', '7d'),
    cartExpirySweepMs: duration(env, 'CART_EXPIRY_SWEEP', '5m'),
    refunds: {
      firstCheckDelayMs: duration(env, 'REFUND_CHECK_DELAY', '60s'),
      maxCheckDelayMs: duration(env, 'REFUND_CHECK_MAX_DELAY', '1h'),
      reconcileIntervalMs: duration(env, 'REFUND_RECONCILE_INTERVAL', '15s'),
    },
    idempotencyLeaseMs: duration(env, 'IDEMPOTENCY_LEASE', '60s'),
    retention: retentionSettings(env),
    defaultPaymentMethod: read(env, 'DEFAULT_PAYMENT_METHOD')
      ? oneOf(env, 'DEFAULT_PAYMENT_METHOD', ['wallet', 'manual', 'midtrans'] as const, 'wallet')
      : undefined,
    defaultCurrency: currency,
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    corsOrigins: corsOrigins(env, mode),
    auth: {
      issuer: read(env, 'JWT_ISSUER') ?? publicUrl,
      audience: read(env, 'JWT_AUDIENCE') ?? 'mamlaka-api',
      accessTokenTtlMs: duration(env, 'ACCESS_TOKEN_TTL', '15m'),
      refreshTokenTtlMs: duration(env, 'REFRESH_TOKEN_TTL', '30d'),
      // A lost response is retried within seconds; a longer window only hides theft longer.
      refreshTokenReuseGraceMs: boundedDuration(env, 'REFRESH_TOKEN_REUSE_GRACE', '10s', 60_000),
      signingKeyPem,
      emailVerificationTtlMs: duration(env, 'EMAIL_VERIFICATION_TTL', '24h'),
      passwordResetTtlMs: duration(env, 'PASSWORD_RESET_TTL', '30m'),
      // Live mode moves real money: an admin account there is never password-only.
      requireAdminMfa: mode === 'live' || boolean(env, 'REQUIRE_ADMIN_MFA', false),
    },
    rateLimits: {
      loginPerIp: integer(env, 'RATE_LIMIT_LOGIN_PER_IP', 100, 1, 10_000_000),
      loginWindowMs: duration(env, 'RATE_LIMIT_LOGIN_WINDOW', '15m'),
      loginFailuresPerAddress: integer(env, 'RATE_LIMIT_LOGIN_FAILURES', 10, 1, 10_000_000),
      // Loose and short (OWASP): strict per account alone would let anyone lock an owner out.
      loginFailuresPerAccount: integer(env, 'RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT', 30, 1, 10_000_000),
      loginAccountWindowMs: duration(env, 'RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_WINDOW', '1m'),
      registerPerIp: integer(env, 'RATE_LIMIT_REGISTER_PER_IP', 100, 1, 10_000_000),
      registerWindowMs: duration(env, 'RATE_LIMIT_REGISTER_WINDOW', '1h'),
      requestsPerUser: integer(env, 'RATE_LIMIT_PER_USER', 600, 1, 10_000_000),
      requestsWindowMs: duration(env, 'RATE_LIMIT_PER_USER_WINDOW', '1m'),
      midtransPerIp: integer(env, 'RATE_LIMIT_MIDTRANS_PER_IP', 600, 1, 10_000_000),
      midtransWindowMs: duration(env, 'RATE_LIMIT_MIDTRANS_WINDOW', '1m'),
      recoveryPerAccount: integer(env, 'RATE_LIMIT_RECOVERY_PER_ACCOUNT', 5, 1, 10_000_000),
      recoveryWindowMs: duration(env, 'RATE_LIMIT_RECOVERY_WINDOW', '1h'),
      redisPrefix: read(env, 'RATE_LIMIT_REDIS_PREFIX') ?? 'mamlaka:rl',
    },
  };

  if (mode === 'live') {
    // Live mode moves real money: nothing may silently fall back to a generated or local default.
    if (!config.auth.signingKeyPem) {
      throw new ConfigError(
        'JWT_PRIVATE_KEY',
        'is required in live mode (keys are generated only in sandbox)',
      );
    }
    if (!read(env, 'PUBLIC_URL')) throw new ConfigError('PUBLIC_URL', 'is required in live mode');
    if (!config.encryption.keys && !config.encryption.keysFile) {
      throw new ConfigError(
        'ENCRYPTION_KEYS',
        'is required in live mode with BLIND_INDEX_KEY (keys are generated only in sandbox; ' +
          'make one with `echo "k1:$(openssl rand -base64 32)"`)',
      );
    }
    if (!config.push.vapidKeys) {
      throw new ConfigError(
        'VAPID_PRIVATE_KEY',
        'is required in live mode with VAPID_PUBLIC_KEY (keys are generated only in sandbox; ' +
          'make a pair with `npx web-push generate-vapid-keys`)',
      );
    }
  }
  return config;
}

function defaultReadFile(p: string): string {
  return readFileSync(p, 'utf8');
}

/** Reads `.env` from the working directory when there is one; real variables win over it. */
export function configFromEnvironment(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return loadConfig(process.env);
}

/**
 * DATA_DIR alone, for `mamlaka certs dev`: it writes the very files TLS_CERT_FILE and the
 * like may already name, so the rest of the configuration cannot be required to load.
 */
export function dataDirFromEnvironment(): string {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return path.resolve(read(process.env, 'DATA_DIR') ?? './data');
}
