import { generateKeyPairSync } from 'node:crypto';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { MAX_AMOUNT_MINOR } from './platform/money.js';

const pem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const vapid = () => {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey };
};

const keys = () => ({
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  BLIND_INDEX_KEY: Buffer.alloc(32, 9).toString('base64'),
});

describe('loadConfig', () => {
  it('works with no variables at all, in sandbox mode', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: 'sandbox',
      port: 8080,
      grpcPort: 50051,
      host: '0.0.0.0',
      databaseUrl: undefined,
    });
    expect(config.auth.accessTokenTtlMs).toBe(15 * 60_000);
    expect(config.rateLimits).toMatchObject({
      loginPerIp: 100,
      loginFailuresPerAddress: 10,
      loginFailuresPerAccount: 30,
      loginAccountWindowMs: 60_000,
      registerPerIp: 100,
      requestsPerUser: 600,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MAMLAKA_MODE', 'production'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'not a url'],
    ['PAYMENT_EXPIRY', '15 minutes'],
    ['LOG_LEVEL', 'loud'],
    ['PLATFORM_FEE_BPS', '10001'],
    ['DEFAULT_CURRENCY', 'RUPIAH'],
    ['TRUST_PROXY', 'maybe'],
    ['JWT_PRIVATE_KEY', 'not a pem'],
    ['MAX_ORDER_AMOUNT_MINOR', '0'],
    ['MAX_ORDER_AMOUNT_MINOR', '12.5'],
    ['MAX_ORDER_AMOUNT_MINOR', '-1'],
    ['MAX_ORDER_AMOUNT_MINOR', '1e12'],
    ['MAX_LINE_QUANTITY', '0'],
    ['MAX_LINE_QUANTITY', '1000001'],
    ['REFRESH_TOKEN_REUSE_GRACE', '61s'],
    ['REFRESH_TOKEN_REUSE_GRACE', '10m'],
    ['REFRESH_TOKEN_REUSE_GRACE', '-1s'],
    ['REFRESH_TOKEN_REUSE_GRACE', 'ten seconds'],
    ['DATABASE_STATEMENT_CACHE', '-1'],
    ['DATABASE_STATEMENT_CACHE', 'all'],
    ['DATABASE_BACKGROUND_POOL_SIZE', '-1'],
    ['DATABASE_BACKGROUND_POOL_SIZE', '101'],
    ['CHECKOUT_MAX_WAIT', '0s'],
    ['CHECKOUT_MAX_WAIT', 'soon'],
    ['MAIL_FROM', 'no-reply'],
    ['MAIL_FROM', 'a@shop.example, b@shop.example'],
  ])('names %s when it is %j', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}`));
  });

  it('refuses a wallet checkout queued for 5 s unless told otherwise', () => {
    expect(loadConfig({}).checkoutMaxWaitMs).toBe(5_000);
    expect(loadConfig({ CHECKOUT_MAX_WAIT: '800ms' }).checkoutMaxWaitMs).toBe(800);
  });

  it('keeps 200 statements prepared per database connection unless told otherwise, 0 for none', () => {
    expect(loadConfig({}).databaseStatementCache).toBe(200);
    expect(loadConfig({ DATABASE_STATEMENT_CACHE: '0' }).databaseStatementCache).toBe(0);
  });

  it('gives background work a pool of 4 connections unless told otherwise, 0 to share the requests’', () => {
    expect(loadConfig({}).databaseBackgroundPoolSize).toBe(4);
    expect(loadConfig({ DATABASE_BACKGROUND_POOL_SIZE: '0' }).databaseBackgroundPoolSize).toBe(0);
  });

  it('bounds orders to 10^12 minor units and 10,000 of a product by default', () => {
    const config = loadConfig({});
    expect(config.maxOrderAmountMinor).toBe(1_000_000_000_000n);
    expect(config.maxLineQuantity).toBe(10_000);
  });

  it('reads the order maximum as an exact bigint, up to the ledger’s own limit', () => {
    expect(loadConfig({ MAX_ORDER_AMOUNT_MINOR: '100000' }).maxOrderAmountMinor).toBe(100_000n);
    expect(loadConfig({ MAX_ORDER_AMOUNT_MINOR: MAX_AMOUNT_MINOR.toString() }).maxOrderAmountMinor).toBe(
      MAX_AMOUNT_MINOR,
    );
    expect(loadConfig({ MAX_LINE_QUANTITY: '50' }).maxLineQuantity).toBe(50);
  });

  it('refuses at boot an order maximum above the ledger’s limit, however many digits it has', () => {
    for (const value of [MAX_AMOUNT_MINOR + 1n, 2n ** 53n + 1n, 2n ** 63n, 10n ** 40n]) {
      expect(() => loadConfig({ MAX_ORDER_AMOUNT_MINOR: value.toString() })).toThrow(
        new ConfigError('MAX_ORDER_AMOUNT_MINOR', `must be between 1 and ${MAX_AMOUNT_MINOR}`),
      );
    }
  });

  it('reads a secret from NAME_FILE', () => {
    const key = pem();
    const config = loadConfig({ JWT_PRIVATE_KEY_FILE: '/etc/secret' }, (p) =>
      p === '/etc/secret' ? key : '',
    );
    expect(config.auth.signingKeyPem).toBe(key.trim());
  });

  it('requires a signing key and a public URL in live mode', () => {
    expect(() => loadConfig({ MAMLAKA_MODE: 'live' })).toThrow(/^JWT_PRIVATE_KEY/);
    expect(() => loadConfig({ MAMLAKA_MODE: 'live', JWT_PRIVATE_KEY: pem() })).toThrow(/^PUBLIC_URL/);
    expect(
      loadConfig({
        MAMLAKA_MODE: 'live',
        JWT_PRIVATE_KEY: pem(),
        PUBLIC_URL: 'https://api.example',
        ...vapid(),
        ...keys(),
      }).mode,
    ).toBe('live');
  });

  it('keeps the plain-text gRPC listener on loopback in live mode unless GRPC_HOST is set', () => {
    const live = {
      MAMLAKA_MODE: 'live',
      JWT_PRIVATE_KEY: pem(),
      PUBLIC_URL: 'https://api.example',
      ...vapid(),
      ...keys(),
    };
    expect(loadConfig({ ...live, HOST: '0.0.0.0' }).grpcHost).toBe('127.0.0.1');
    expect(loadConfig({ ...live, GRPC_HOST: '0.0.0.0' }).grpcHost).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '10.0.0.5' }).grpcHost).toBe('10.0.0.5');
    expect(loadConfig({}).grpcHost).toBe('0.0.0.0');
  });

  it('allows cross-origin access in live mode only to listed origins, and never to null', () => {
    const live = {
      MAMLAKA_MODE: 'live',
      JWT_PRIVATE_KEY: pem(),
      PUBLIC_URL: 'https://api.example',
      ...vapid(),
      ...keys(),
    };
    expect(loadConfig(live).corsOrigins).toEqual([]);
    expect(loadConfig({}).corsOrigins).toBe(true);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe(true);
    expect(() => loadConfig({ ...live, CORS_ORIGINS: '*' })).toThrow(ConfigError);
    for (const bad of ['null', 'https://a.example/', 'shop.example', 'file:///x', 'https://a.example,null']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });

  it('lets sandbox webhooks reach loopback receivers by default, and live ones no private host', () => {
    const live = {
      MAMLAKA_MODE: 'live',
      JWT_PRIVATE_KEY: pem(),
      PUBLIC_URL: 'https://api.example',
      ...vapid(),
      ...keys(),
    };
    expect(loadConfig({}).webhooks.allowList).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(loadConfig(live).webhooks.allowList).toEqual([]);
  });

  it('replaces the default webhook allow-list with WEBHOOK_ALLOW_LIST, empty meaning none', () => {
    const live = {
      MAMLAKA_MODE: 'live',
      JWT_PRIVATE_KEY: pem(),
      PUBLIC_URL: 'https://api.example',
      ...vapid(),
      ...keys(),
    };
    expect(loadConfig({ WEBHOOK_ALLOW_LIST: ' hooks.internal , 10.0.0.7,' }).webhooks.allowList).toEqual([
      'hooks.internal',
      '10.0.0.7',
    ]);
    expect(loadConfig({ WEBHOOK_ALLOW_LIST: '' }).webhooks.allowList).toEqual([]);
    expect(loadConfig({ WEBHOOK_ALLOW_LIST: '  ' }).webhooks.allowList).toEqual([]);
    expect(loadConfig({ ...live, WEBHOOK_ALLOW_LIST: '127.0.0.1' }).webhooks.allowList).toEqual([
      '127.0.0.1',
    ]);
  });

  it('parses durations and origins', () => {
    const config = loadConfig({
      PAYMENT_EXPIRY: '30m',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.paymentExpiryMs).toBe(1_800_000);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('gives a spent refresh token a 10 s reuse grace by default, up to 60 s, and 0 turns it off', () => {
    expect(loadConfig({}).auth.refreshTokenReuseGraceMs).toBe(10_000);
    expect(loadConfig({ REFRESH_TOKEN_REUSE_GRACE: '0s' }).auth.refreshTokenReuseGraceMs).toBe(0);
    expect(loadConfig({ REFRESH_TOKEN_REUSE_GRACE: '0' }).auth.refreshTokenReuseGraceMs).toBe(0);
    expect(loadConfig({ REFRESH_TOKEN_REUSE_GRACE: '1500ms' }).auth.refreshTokenReuseGraceMs).toBe(1_500);
    expect(loadConfig({ REFRESH_TOKEN_REUSE_GRACE: '1m' }).auth.refreshTokenReuseGraceMs).toBe(60_000);
    expect(() => loadConfig({ REFRESH_TOKEN_REUSE_GRACE: '61s' })).toThrow(
      new ConfigError(
        'REFRESH_TOKEN_REUSE_GRACE',
        'expected a duration from 0s to 60s, such as 10s, got "61s"',
      ),
    );
  });

  describe('Web Push (VAPID)', () => {
    const live = {
      MAMLAKA_MODE: 'live',
      JWT_PRIVATE_KEY: pem(),
      PUBLIC_URL: 'https://api.example',
      ...keys(),
    };

    it('requires a VAPID key pair in live mode, naming the variable', () => {
      expect(() => loadConfig(live)).toThrow(
        /^VAPID_PRIVATE_KEY: is required in live mode with VAPID_PUBLIC_KEY \(keys are generated only in sandbox/,
      );
      const keys = vapid();
      expect(loadConfig({ ...live, ...keys }).push.vapidKeys).toEqual({
        publicKey: keys.VAPID_PUBLIC_KEY,
        privateKey: keys.VAPID_PRIVATE_KEY,
      });
    });

    it('leaves the keys to be generated in sandbox, with default timings', () => {
      expect(loadConfig({}).push).toEqual({
        vapidKeys: undefined,
        vapidSubject: 'mailto:support@mamlaka.local',
        sendIntervalMs: 1000,
        retryBaseMs: 10_000,
      });
    });

    it('takes both keys or neither', () => {
      const keys = vapid();
      expect(() => loadConfig({ VAPID_PUBLIC_KEY: keys.VAPID_PUBLIC_KEY })).toThrow(/^VAPID_PRIVATE_KEY/);
      expect(() => loadConfig({ VAPID_PRIVATE_KEY: keys.VAPID_PRIVATE_KEY })).toThrow(/^VAPID_PUBLIC_KEY/);
    });

    it('reads the private key from VAPID_PRIVATE_KEY_FILE', () => {
      const keys = vapid();
      const config = loadConfig(
        { VAPID_PUBLIC_KEY: keys.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY_FILE: '/run/secrets/vapid' },
        (p) => (p === '/run/secrets/vapid' ? `${keys.VAPID_PRIVATE_KEY}\n` : ''),
      );
      expect(config.push.vapidKeys?.privateKey).toBe(keys.VAPID_PRIVATE_KEY);
    });

    it.each([
      ['VAPID_PUBLIC_KEY', { VAPID_PUBLIC_KEY: 'not+base64url' }],
      ['VAPID_PUBLIC_KEY', { VAPID_PUBLIC_KEY: Buffer.alloc(33, 2).toString('base64url') }],
      ['VAPID_PRIVATE_KEY', { VAPID_PRIVATE_KEY: Buffer.alloc(31, 1).toString('base64url') }],
      ['VAPID_PUBLIC_KEY', { VAPID_PUBLIC_KEY: vapid().VAPID_PUBLIC_KEY }],
    ])('names %s when the pair is wrong (%j)', (name, change) => {
      expect(() => loadConfig({ ...vapid(), ...keys(), ...change })).toThrow(new RegExp(`^${name}`));
    });

    it('refuses a mismatched pair: every push service would refuse its tokens', () => {
      const keys = vapid();
      expect(() => loadConfig({ ...keys, VAPID_PUBLIC_KEY: vapid().VAPID_PUBLIC_KEY })).toThrow(
        new ConfigError('VAPID_PUBLIC_KEY', 'does not belong to VAPID_PRIVATE_KEY'),
      );
    });

    it('contacts the operator at VAPID_SUBJECT, else the support address, never the no-reply sender', () => {
      expect(loadConfig({ VAPID_SUBJECT: 'https://shop.example/contact' }).push.vapidSubject).toBe(
        'https://shop.example/contact',
      );
      expect(() => loadConfig({ VAPID_SUBJECT: 'http://shop.example' })).toThrow(/^VAPID_SUBJECT/);
      expect(loadConfig({ MAIL_SUPPORT_ADDRESS: 'help@shop.example' }).push.vapidSubject).toBe(
        'mailto:help@shop.example',
      );
      expect(loadConfig({ MAIL_SUPPORT_ADDRESS: 'Shop <help@shop.example>' }).push.vapidSubject).toBe(
        'mailto:help@shop.example',
      );
      expect(loadConfig({ MAIL_FROM: 'Shop <no-reply@shop.example>' }).push.vapidSubject).toBe(
        'mailto:support@mamlaka.local',
      );
    });
  });
});
