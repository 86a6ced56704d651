import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationsModule } from '../../src/modules/notifications/notifications.module.js';
import type { NotificationsTables } from '../../src/modules/notifications/notifications.tables.js';
import { createPushModule } from '../../src/modules/push/push.module.js';
import type { PushTables } from '../../src/modules/push/push.tables.js';
import { loadVapidKeys } from '../../src/modules/push/push.vapid.js';
import { tablesOf } from '../../src/platform/db/database.js';
import { databaseOutbox } from '../../src/platform/events/outbox.js';
import { SmtpMailer } from '../../src/platform/mail/smtp.mailer.js';
import { eventually } from '../helpers/eventually.js';
import type { Hold } from '../helpers/hold.js';
import { market } from '../helpers/payments.js';
import { startPushEndpoint, type TestPushEndpoint } from '../helpers/push-endpoint.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Mail and push senders claim a batch for a lease. Against a server that answers slowly, a
 * batch takes longer than the lease: its sender keeps the claim moving, so a sender in
 * another process does not take the same rows and send them a second time.
 */
const LEASE_MS = 300;
const silent = pino({ level: 'silent' });

let smtp: TestSmtpServer;
let pushService: TestPushEndpoint;
let app: TestApp;
const mailers: SmtpMailer[] = [];

beforeAll(async () => {
  [smtp, pushService] = await Promise.all([startSmtpServer(), startPushEndpoint()]);
  // The platform's own send loops stay out of the way: the senders below are the ones tested.
  app = await startTestApp({ SMTP_URL: smtp.url, MAIL_SEND_INTERVAL: '1h', PUSH_SEND_INTERVAL: '1h' });
});
afterAll(async () => {
  await Promise.all(mailers.map((mailer) => mailer.close()));
  await app?.close();
  await Promise.all([smtp?.stop(), pushService?.stop()]);
});

/** A mail sender as another process runs it, on the same database. */
function mailSender() {
  const mailer = new SmtpMailer(smtp.url, { connections: 1 });
  mailers.push(mailer);
  const { platform, config } = app;
  return createNotificationsModule({
    db: platform.database.db,
    keyring: platform.keyring,
    directory: platform.users.contacts,
    mailer,
    outbox: databaseOutbox,
    logger: silent,
    branding: { productName: config.mail.brandName, from: config.mailFrom },
    policy: { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAgeMs: 86_400_000 },
    leaseMs: LEASE_MS,
  }).notifications;
}

/** A push sender as another process runs it, on the same database. */
function pushSender() {
  const { config } = app;
  return createPushModule({
    db: app.platform.database.db,
    logger: silent,
    mode: 'sandbox',
    vapid: { ...loadVapidKeys(config.push.vapidKeys, config.dataDir), subject: config.push.vapidSubject },
    leaseMs: LEASE_MS,
  }).push;
}

/**
 * One sender sends the queued row to a server that holds its answer; three leases go by,
 * and a second sender finds nothing to take; then the server answers.
 */
async function sentPastTheLease(held: Hold, sender: () => { sendDue(): Promise<number> }) {
  const first = sender().sendDue();
  await held.arrived;
  await sleep(3 * LEASE_MS);
  expect(await sender().sendDue()).toBe(0);
  held.release();
  expect(await first).toBe(1);
}

describe('a mail sent to a slow SMTP server', () => {
  it('stays claimed while its sender waits past the lease, so a second sender does not send it again', async () => {
    const user = await signUp(app);
    const mails = () =>
      tablesOf<NotificationsTables>(app.platform.database.db)
        .selectFrom('mail_messages')
        .select(['status', 'attempts'])
        .where('user_id', '=', user.id)
        .execute();
    await eventually(mails, (rows) => rows.length === 1);

    await sentPastTheLease(smtp.hold(), mailSender);

    expect(await mails()).toEqual([{ status: 'sent', attempts: 1 }]);
    const to = smtp.messages.filter((mail) => JSON.stringify(mail.to).includes(user.email));
    expect(to).toHaveLength(1);
  });
});

describe('a push sent to a slow push service', () => {
  it('stays claimed while its sender waits past the lease, so a second sender does not send it again', async () => {
    const { buyer, product } = await market(app, { price: '25000' });
    const browser = pushService.browser();
    expect(
      (await app.api('POST', '/push/subscriptions', { token: buyer.token, body: browser.subscription }))
        .status,
    ).toBe(201);
    const paid = await app.api('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
    });
    expect(paid.status).toBe(201);
    const deliveries = () =>
      tablesOf<PushTables>(app.platform.database.db)
        .selectFrom('push_deliveries')
        .select(['status', 'attempts'])
        .where('user_id', '=', buyer.id)
        .execute();
    await eventually(deliveries, (rows) => rows.length === 1);

    await sentPastTheLease(pushService.hold(), pushSender);

    expect(await deliveries()).toEqual([{ status: 'sent', attempts: 1 }]);
    expect(pushService.to(browser)).toHaveLength(1);
  });
});
