import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createNotificationsModule } from './modules/notifications/notifications.module.js';
import type { Consents } from './modules/privacy/privacy.consents.js';
import { createPushModule } from './modules/push/push.module.js';
import { loadVapidKeys } from './modules/push/push.vapid.js';
import type { UsersModule } from './modules/users/users.module.js';
import type { KeyRing } from './platform/crypto/keyring.js';
import type { Outbox } from './platform/events/outbox.js';
import { openMailer } from './platform/mail/open.js';

/** E-mail (its mailer, templates and queue) and Web Push, wired to the users they reach. */
export async function createMessagingModules(deps: {
  config: Config;
  db: Kysely<object>;
  keyring: KeyRing;
  logger: Logger;
  outbox: Outbox;
  consents: Consents;
  users: UsersModule;
}) {
  const { config, db, keyring, logger, outbox } = deps;
  const mailer = await openMailer({ smtpUrl: config.smtpUrl, mailDir: path.join(config.dataDir, 'mail') });
  const notifications = createNotificationsModule({
    consents: deps.consents,
    db,
    keyring,
    directory: deps.users.contacts,
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
    // Kept moving while a round is sent (keepingClaim): this bounds how long the mails of a
    // sender that died wait before another sender tries them.
    leaseMs: 120_000,
  });
  const push = createPushModule({
    db,
    logger,
    mode: config.mode,
    vapid: {
      ...loadVapidKeys(config.push.vapidKeys, config.dataDir),
      subject: config.push.vapidSubject,
    },
    policy: { baseDelayMs: config.push.retryBaseMs },
  });
  return { mailer, notifications, push };
}
