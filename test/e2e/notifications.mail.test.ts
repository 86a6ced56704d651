import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf, market, type PaymentJson } from '../helpers/payments.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';
import { eventually } from '../helpers/eventually.js';
import { untilQuiet } from '../helpers/quiet.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { deleteStream } from '../helpers/nats.js';
import { tablesOf } from '../../src/platform/db/database.js';
import type { NotificationsTables } from '../../src/modules/notifications/notifications.tables.js';

interface MailJson {
  id: string;
  kind: string;
  to: string;
  status: string;
  attempts: number;
  subject: string;
  attempt_log: { error: string | null }[];
}

let smtp: TestSmtpServer;
let app: TestApp;
let admin: { token: string };

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await startTestApp({
    SMTP_URL: smtp.url,
    MAIL_SEND_INTERVAL: '50ms',
    MAIL_RETRY_BASE: '200ms',
    MAIL_BRAND_NAME: 'Mamlaka Test',
  });
  admin = await adminOf(app);
});
afterAll(async () => {
  await app?.close();
  await smtp?.stop();
});

const mailTo = (address: string) =>
  smtp.messages.filter((mail) => mail.to && !Array.isArray(mail.to) && mail.to.text.includes(address));
const mailLog = async (query: string) =>
  (await app.api<MailJson[]>('GET', `/admin/mail?${query}`, { token: admin.token })).body.results;

describe('mail from events', () => {
  it('welcomes a new user', async () => {
    const user = await signUp(app, { name: 'Dewi Lestari' });
    const [welcome] = await eventually(
      () => mailTo(user.email),
      (mails) => mails.length === 1,
    );
    expect(welcome!.subject).toBe('Welcome to Mamlaka Test');
    expect(welcome!.text).toContain('Dewi Lestari');
    expect(welcome!.html).toContain('Dewi Lestari');
  });

  it('sends exactly one receipt per payment status change, with what the seed’s mail carries', async () => {
    const { seller, buyer, product } = await market(app, { price: '125000', funds: '0' });
    const pending = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 2, payment_method: 'manual' },
    });
    expect(pending.status).toBe(201);
    const payment = pending.body.results;
    await app.api('POST', `/payments/${payment.id}/capture`, { token: admin.token });

    const receipts = await eventually(
      () => mailTo(buyer.email).filter((mail) => mail.subject?.includes(payment.payment_code)),
      (mails) => mails.length >= 2,
    );
    // Let any stray duplicate arrive before counting.
    await untilQuiet(app.platform);
    const final = mailTo(buyer.email).filter((mail) => mail.subject?.includes(payment.payment_code));
    expect(final).toHaveLength(2);
    const succeeded = receipts.find((mail) => !/pending/i.test(mail.subject ?? ''))!;
    for (const expected of [product.name, '250,000', payment.payment_code, 'IDR']) {
      expect(succeeded.text).toContain(expected);
      expect(succeeded.html).toContain(expected);
    }
    expect(succeeded.text).toMatch(/\b2\b/);
    expect(succeeded.text).toMatch(/succeeded|paid|received/i);
    expect(succeeded.text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

    const refund = await app.api('POST', `/payments/${payment.id}/refunds`, {
      token: seller.token,
      body: { amount: '50000', reason: 'one arrived damaged' },
    });
    expect(refund.status).toBe(201);
    // The refund is asked for, then issued: two mails, which may arrive together.
    const notices = await eventually(
      () => mailTo(buyer.email).filter((mail) => /refund/i.test(mail.subject ?? '')),
      (mails) => mails.length >= 1,
    );
    for (const notice of notices) expect(notice.text).toContain('50,000');
  });

  it('tells a seller their payout was requested', async () => {
    const { seller, buyer, product } = await market(app, { price: '100000' });
    await app.api('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
    });
    const payout = await app.api('POST', '/wallet/payouts', {
      token: seller.token,
      body: { amount: '50000', currency: 'IDR' },
    });
    expect(payout.status).toBe(201);
    const [notice] = await eventually(
      () => mailTo(seller.email).filter((mail) => /payout/i.test(mail.subject ?? '')),
      (mails) => mails.length === 1,
    );
    expect(notice!.text).toContain('50,000');
  });

  it('queues no second mail when an event is delivered again', async () => {
    const user = await signUp(app);
    await eventually(
      () => mailTo(user.email),
      (mails) => mails.length === 1,
    );
    const [logged] = await mailLog(`user_id=${user.id}`);
    const event = {
      id: (logged as MailJson & { event_id: string }).event_id,
      type: 'user.registered',
      aggregate: `user:${user.id}`,
      created: Date.now(),
      data: { id: user.id },
    };
    expect(await app.platform.notifications.notifications.handle(event)).toBe(false);
    await untilQuiet(app.platform);
    expect(mailTo(user.email)).toHaveLength(1);
    expect(await mailLog(`user_id=${user.id}`)).toHaveLength(1);
  });

  it('handles a batch in one call: a mail for each new event, none for one handled before', async () => {
    const [first, second] = [await signUp(app), await signUp(app)];
    await eventually(
      () => [...mailTo(first.email), ...mailTo(second.email)],
      (mails) => mails.length === 2,
    );
    const [logged] = await mailLog(`user_id=${first.id}`);
    const registered = (id: string, userId: string) => ({
      id,
      type: 'user.registered',
      aggregate: `user:${userId}`,
      created: Date.now(),
      data: { id: userId },
    });
    const handledBefore = registered((logged as MailJson & { event_id: string }).event_id, first.id);
    const fresh = [first, second].map((user) => registered(randomUUID(), user.id));
    const consumer = app.platform.notifications.notifications;
    const handled = await consumer.handleBatch([handledBefore, ...fresh, fresh[0]!]);
    expect(handled.map((event) => event.id)).toEqual(fresh.map((event) => event.id));
    expect(await consumer.handleBatch([handledBefore, ...fresh])).toEqual([]);
    await untilQuiet(app.platform);
    expect(mailTo(first.email)).toHaveLength(2);
    expect(mailTo(second.email)).toHaveLength(2);
    expect(await mailLog(`user_id=${first.id}`)).toHaveLength(2);
  });
});

describe('recipients of a batch', () => {
  it('are looked up together: active accounts get their mail, disabled and unknown ones none', async () => {
    const [active, disabled, shouting] = [await signUp(app), await signUp(app), await signUp(app)];
    await eventually(
      () => [active, disabled, shouting].flatMap((user) => mailTo(user.email)),
      (mails) => mails.length === 3,
    );
    expect(
      (await app.api('POST', `/admin/users/${disabled.id}/disable`, { token: admin.token })).status,
    ).toBe(200);
    const registered = (userId: string) => ({
      id: randomUUID(),
      type: 'user.registered',
      aggregate: `user:${userId}`,
      created: Date.now(),
      data: { id: userId },
    });
    const batch = [active.id, disabled.id, shouting.id.toUpperCase(), randomUUID(), 'not-a-user-id'].map(
      registered,
    );
    const handled = await app.platform.notifications.notifications.handleBatch(batch);
    // Every event is handled, including those that call for no mail.
    expect(handled).toHaveLength(batch.length);
    await untilQuiet(app.platform);
    expect(mailTo(active.email)).toHaveLength(2);
    expect(mailTo(shouting.email)).toHaveLength(2);
    expect(mailTo(disabled.email)).toHaveLength(1);
    const queued = await Promise.all(batch.map((event) => mailLog(`event_id=${event.id}`)));
    expect(queued.map((mails) => mails.length)).toEqual([1, 0, 1, 0, 0]);
  });
});

describe('when the SMTP server is down for a while', () => {
  it('keeps the mail, retries with backoff, and delivers it once the server is back', async () => {
    await smtp.stop();
    let user: Awaited<ReturnType<typeof signUp>>;
    try {
      user = await signUp(app);
      const failing = await eventually(
        () => mailLog(`user_id=${user.id}`),
        (mails) => (mails[0]?.attempts ?? 0) >= 2,
        10_000,
      );
      expect(failing[0]).toMatchObject({ status: 'pending', kind: 'welcome' });
      expect(failing[0]!.attempt_log[0]!.error).toBeTruthy();
    } finally {
      await smtp.restart();
    }
    await eventually(
      () => mailTo(user.email),
      (mails) => mails.length === 1,
      15_000,
    );
    const [sent] = await eventually(
      () => mailLog(`user_id=${user.id}`),
      (mails) => mails[0]?.status === 'sent',
    );
    expect(sent!.attempts).toBeGreaterThanOrEqual(3);
  });
});

describe('marketing preferences', () => {
  it('store the choice with its time, and an announcement skips those who opted out', async () => {
    const keen = await signUp(app);
    const quiet = await signUp(app);
    const initial = await app.api('GET', '/users/me/preferences', { token: quiet.token });
    expect(initial.body.results).toEqual({ marketing: true, updated_at: null });
    const saved = await app.api<{ marketing: boolean; updated_at: string }>('PUT', '/users/me/preferences', {
      token: quiet.token,
      body: { marketing: false },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.results.marketing).toBe(false);
    expect(Date.parse(saved.body.results.updated_at)).toBeGreaterThan(Date.now() - 60_000);
    const bad = await app.api('PUT', '/users/me/preferences', {
      token: quiet.token,
      body: { marketing: 'no' },
    });
    expect(bad.status).toBe(400);

    const forbidden = await app.api('POST', '/admin/announcements', {
      token: keen.token,
      body: { subject: 'Sale', text: 'Everything half price.' },
    });
    expect(forbidden.status).toBe(403);
    const announced = await app.api('POST', '/admin/announcements', {
      token: admin.token,
      body: { subject: 'Harbolnas sale', text: 'Everything half price.' },
    });
    expect(announced.status).toBe(202);
    await eventually(
      () => mailTo(keen.email).filter((mail) => mail.subject === 'Harbolnas sale'),
      (mails) => mails.length === 1,
    );
    const [suppressed] = await eventually(
      () => mailLog(`user_id=${quiet.id}&status=suppressed`),
      (mails) => mails.length === 1,
    );
    expect(suppressed!.kind).toBe('announcement');
    expect(mailTo(quiet.email).filter((mail) => mail.subject === 'Harbolnas sale')).toHaveLength(0);
    // Transactional mail still goes to someone who turned marketing off. The welcome mail
    // travels its own way (sign-up event, mail queue), so it may arrive after the announcement.
    await eventually(
      () => mailTo(quiet.email).filter((mail) => mail.subject?.startsWith('Welcome')),
      (mails) => mails.length === 1,
    );
  });
});

describe('without SMTP_URL', () => {
  it('writes each mail as an .eml file under DATA_DIR/mail', async () => {
    const local = await startTestApp({ MAIL_SEND_INTERVAL: '50ms' });
    try {
      const user = await signUp(local);
      const dir = path.join(local.config.dataDir, 'mail');
      const files = await eventually(
        () => {
          try {
            return readdirSync(dir).filter((name) => name.endsWith('.eml'));
          } catch {
            return [];
          }
        },
        (names) => names.length === 1,
      );
      const parsed: ParsedMail = await simpleParser(readFileSync(path.join(dir, files[0]!)));
      expect(parsed.subject).toBe('Welcome to Mamlaka');
      expect(parsed.text).toContain(user.email);
    } finally {
      await local.close();
    }
  });
});

describe('a shutdown while a mail is being sent', () => {
  it('waits for the send and records it, so the mail is neither lost nor sent again', async () => {
    const server = await startSmtpServer();
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-test-'));
    const logged: string[] = [];
    const local = await startTestApp(
      { SMTP_URL: server.url, MAIL_SEND_INTERVAL: '20ms', LOG_LEVEL: 'warn' },
      { db, dataDir },
      { write: (line: string) => void logged.push(line) },
    );
    try {
      const held = server.hold();
      const user = await signUp(local);
      await held.arrived;
      let closed = false;
      const closing = local.close().then(() => (closed = true));
      await sleep(300);
      expect(closed).toBe(false);
      held.release();
      await closing;
      // Read the moment the platform is closed: the send's outcome is already recorded.
      const mails = await tablesOf<NotificationsTables>(db.database.db)
        .selectFrom('mail_messages')
        .select(['status', 'attempts'])
        .where('user_id', '=', user.id)
        .execute();
      expect(mails).toEqual([{ status: 'sent', attempts: 1 }]);
      expect(server.messages).toHaveLength(1);
      expect(logged.filter((line) => line.includes('mail sending failed'))).toEqual([]);
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
      if (local.config.natsUrl) await deleteStream(local.config.natsUrl, local.config.events.natsStream);
      await server.stop();
    }
  });
});
