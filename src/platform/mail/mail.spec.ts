import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp-server.js';
import { emlFileName, FilesMailer } from './files.mailer.js';
import { type MailMessage, MailDeliveryError, toMailDeliveryError } from './mailer.js';
import { openMailer } from './open.js';
import { SmtpMailer, smtpConnectionOptions } from './smtp.mailer.js';

const message: MailMessage = {
  from: 'Mamlaka <no-reply@mamlaka.test>',
  to: 'Ana Buyer <ana@example.com>',
  subject: 'Pembayaran diterima — Rp 150.000 ✓',
  text: 'We received your payment.\nThank you, Ana — terima kasih!\n',
  html: '<p>We received your <b>payment</b>. Terima kasih — ✓</p>',
};

/** A port nothing listens on: bound once by the OS, then released. */
const unusedPort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const sendError = async (promise: Promise<unknown>): Promise<MailDeliveryError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailDeliveryError);
  return error as MailDeliveryError;
};

describe('FilesMailer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = path.join(await mkdtemp(path.join(tmpdir(), 'mamlaka-mail-')), 'mail');
  });
  afterEach(async () => {
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('writes each mail as a MIME .eml file that parses back to the same message', async () => {
    const mailer = new FilesMailer(dir);
    const { messageId } = await mailer.send({
      ...message,
      headers: { 'X-Mamlaka-Event': 'payment.succeeded' },
    });
    await mailer.close();
    expect(messageId).toMatch(/^<[^<>@]+@[^<>@]+>$/);

    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-.+\.eml$/);
    const raw = await readFile(path.join(dir, files[0]!));
    expect(raw.toString('latin1')).toContain('\r\nContent-Type: multipart/alternative');
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ name: 'Mamlaka', address: 'no-reply@mamlaka.test' }]);
    expect(parsed.to).toMatchObject({ value: [{ name: 'Ana Buyer', address: 'ana@example.com' }] });
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.text).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.headers.get('x-mamlaka-event')).toBe('payment.succeeded');
  });

  it('keeps the Message-ID the caller chose, and two mails with one Message-ID in two files', async () => {
    const mailer = new FilesMailer(dir);
    const messageId = '<payment-42.succeeded@mamlaka.test>';
    expect(await mailer.send({ ...message, messageId })).toEqual({ messageId });
    await mailer.send({ ...message, messageId });

    const files = await readdir(dir);
    expect(files).toHaveLength(2);
    for (const file of files) expect(file).toContain('payment-42.succeeded_mamlaka.test');
  });

  it('names files so that they sort by the time they were sent', () => {
    const times = ['2026-11-22T09:59:59.999Z', '2026-11-22T10:00:00.000Z', '2026-11-22T10:00:00.001Z'];
    const names = times.map((time) => emlFileName(new Date(time), '<zzz@x>'));
    expect(names[0]!.startsWith('2026-11-22T09-59-59.999Z-zzz_x-')).toBe(true);
    expect([...names].reverse().sort()).toEqual(names);
  });

  it('leaves no temporary file behind', async () => {
    const mailer = new FilesMailer(dir);
    await Promise.all([1, 2, 3].map((n) => mailer.send({ ...message, subject: `mail ${n}` })));
    const files = await readdir(dir);
    expect(files).toHaveLength(3);
    expect(files.every((file) => file.endsWith('.eml') && !file.startsWith('.'))).toBe(true);
  });

  it('passes nodemailer nothing but the message fields, so no file can be attached', async () => {
    const mailer = new FilesMailer(dir);
    const sneaky = { ...message, attachments: [{ path: '/etc/hostname' }] } as MailMessage;
    await mailer.send(sneaky);
    const [file] = await readdir(dir);
    const parsed = await simpleParser(await readFile(path.join(dir, file!)));
    expect(parsed.attachments).toEqual([]);
  });

  it('makes its directory again when it was removed between two mails', async () => {
    const mailer = new FilesMailer(dir);
    await mailer.send(message);
    await rm(dir, { recursive: true });
    await sendError(mailer.send(message));
    await mailer.send(message);
    expect(await readdir(dir)).toHaveLength(1);
  });

  it('fails transiently when the directory cannot be written', async () => {
    // A regular file where the directory should be: mkdir cannot create it.
    const blocked = path.join(path.dirname(dir), 'blocked');
    await writeFile(blocked, 'not a directory');
    const error = await sendError(new FilesMailer(path.join(blocked, 'mail')).send(message));
    expect(error.permanent).toBe(false);
  });
});

describe('SmtpMailer', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.stop();
  });
  afterEach(() => {
    smtp.failWith(undefined);
    smtp.messages.length = 0;
  });

  it('delivers to a real SMTP server, which receives the same message', async () => {
    const mailer = new SmtpMailer(smtp.url, { timeoutMs: 2_000 });
    const { messageId } = await mailer.send(message);
    await mailer.close();
    expect(messageId).toMatch(/^<[^<>@]+@[^<>@]+>$/);

    const [received] = await smtp.waitFor(1);
    expect(received!.from?.value).toEqual([{ name: 'Mamlaka', address: 'no-reply@mamlaka.test' }]);
    expect(received!.to).toMatchObject({ value: [{ name: 'Ana Buyer', address: 'ana@example.com' }] });
    expect(received!.subject).toBe(message.subject);
    expect(received!.text).toBe(message.text);
    expect(received!.html).toBe(message.html);
    expect(received!.messageId).toBe(messageId);
  });

  it('reports a 451 answer as a transient failure', async () => {
    smtp.failWith(451);
    const mailer = new SmtpMailer(smtp.url, { timeoutMs: 2_000 });
    const error = await sendError(mailer.send(message));
    expect(error).toMatchObject({ permanent: false, responseCode: 451 });
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports a 550 answer as a permanent failure', async () => {
    smtp.failWith(550);
    const mailer = new SmtpMailer(smtp.url, { timeoutMs: 2_000 });
    const error = await sendError(mailer.send(message));
    expect(error).toMatchObject({ permanent: true, responseCode: 550 });
  });

  it('delivers again once the server accepts mail again', async () => {
    const mailer = new SmtpMailer(smtp.url, { timeoutMs: 2_000 });
    smtp.failWith(451);
    await sendError(mailer.send(message));
    smtp.failWith(undefined);
    await mailer.send(message);
    expect(await smtp.waitFor(1)).toHaveLength(1);
  });

  it('carries many mails over a few connections, no more at once than it takes', async () => {
    const mailer = new SmtpMailer(smtp.url, { timeoutMs: 2_000, connections: 3 });
    const before = smtp.connections;
    expect(mailer.concurrency).toBe(3);
    const subjects = Array.from({ length: 12 }, (_, n) => `mail ${n}`);
    await Promise.all(subjects.map((subject) => mailer.send({ ...message, subject })));
    expect((await smtp.waitFor(12)).map((mail) => mail.subject).sort()).toEqual([...subjects].sort());
    expect(smtp.connections - before).toBeGreaterThanOrEqual(1);
    expect(smtp.connections - before).toBeLessThanOrEqual(3);
    await mailer.close();
  });

  it('survives the server going away and coming back on the same port', async () => {
    const mailer = new SmtpMailer(smtp.url, { timeoutMs: 2_000 });
    await mailer.send({ ...message, subject: 'before' });
    const port = smtp.port;

    await smtp.stop();
    const error = await sendError(mailer.send({ ...message, subject: 'during' }));
    expect(error.permanent).toBe(false);

    await smtp.restart();
    expect(smtp.port).toBe(port);
    await mailer.send({ ...message, subject: 'after' });
    expect((await smtp.waitFor(2)).map((mail) => mail.subject)).toEqual(['before', 'after']);
  });

  it('fails transiently and at once when nothing listens on the port', async () => {
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${await unusedPort()}`, { timeoutMs: 500 });
    const started = Date.now();
    const error = await sendError(mailer.send(message));
    expect(error.permanent).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  describe('against a server that accepts connections but never speaks', () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('gives up after the greeting timeout with a transient failure', async () => {
      const { port } = silent.address() as { port: number };
      const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, { timeoutMs: 300 });
      const started = Date.now();
      const error = await sendError(mailer.send(message));
      expect(error).toMatchObject({ permanent: false, code: 'ETIMEDOUT' });
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('gives up at the deadline of the whole send', async () => {
      const { port } = silent.address() as { port: number };
      const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, { timeoutMs: 10_000, sendTimeoutMs: 300 });
      const started = Date.now();
      const error = await sendError(mailer.send(message));
      expect(error.permanent).toBe(false);
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  });
});

describe('smtpConnectionOptions', () => {
  it('reads host, port and percent-encoded credentials', () => {
    expect(smtpConnectionOptions('smtp://mailer%40shop:p%3Ass%2Fw@mail.example.com:2525')).toEqual({
      host: 'mail.example.com',
      port: 2525,
      secure: false,
      auth: { user: 'mailer@shop', pass: 'p:ss/w' },
    });
  });

  it('uses TLS from the start for smtps, leaving the default port to nodemailer', () => {
    expect(smtpConnectionOptions('smtps://mail.example.com')).toEqual({
      host: 'mail.example.com',
      secure: true,
    });
  });

  it('strips the brackets of an IPv6 literal', () => {
    expect(smtpConnectionOptions('smtp://[::1]:25').host).toBe('::1');
  });

  it('turns the tls parameter into the matching nodemailer option', () => {
    expect(smtpConnectionOptions('smtp://127.0.0.1:2525?tls=off')).toMatchObject({ ignoreTLS: true });
    expect(smtpConnectionOptions('smtp://mail.example.com?tls=required')).toMatchObject({ requireTLS: true });
    expect(smtpConnectionOptions('smtps://localhost?tls=insecure')).toMatchObject({
      tls: { rejectUnauthorized: false },
    });
    const plain = smtpConnectionOptions('smtp://mail.example.com');
    expect(plain).not.toHaveProperty('ignoreTLS');
    expect(plain).not.toHaveProperty('tls');
  });

  it.each([
    ['http://mail.example.com', /smtp:\/\/ or smtps:\/\//],
    ['smtp://mail.example.com?pool=true', /unknown parameter "pool"/],
    ['smtp://mail.example.com?tls=maybe', /tls must be one of/],
    ['smtps://mail.example.com?tls=off', /makes no sense/],
    ['not a url', /not a valid URL/],
  ])('refuses %s', (url, reason) => {
    expect(() => smtpConnectionOptions(url)).toThrow(reason);
  });

  it('never repeats the password in an error', () => {
    expect(() => smtpConnectionOptions('smtp://u:hunter2@mail.example.com?bogus=1')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});

describe('toMailDeliveryError', () => {
  const smtpFailure = (code: string, responseCode?: number) =>
    Object.assign(new Error('failed'), { code, responseCode });

  it.each([
    ['a 550 refusal of the recipient', smtpFailure('EENVELOPE', 550)],
    ['a 554 refusal of the message', smtpFailure('EMESSAGE', 554)],
    ['an envelope refused before connecting', smtpFailure('EENVELOPE')],
  ])('treats %s as permanent', (_what, error) => {
    const classified = toMailDeliveryError(error);
    expect(classified).toBeInstanceOf(MailDeliveryError);
    expect(classified.permanent).toBe(true);
    expect(classified.cause).toBe(error);
  });

  it.each([
    ['a 451 deferral', smtpFailure('EENVELOPE', 451)],
    ['a 421 shutdown', smtpFailure('ECONNECTION', 421)],
    ['a 503 out-of-sequence reply', smtpFailure('EPROTOCOL', 503)],
    ['a 535 login failure, since our account is wrong and not the message', smtpFailure('EAUTH', 535)],
    ['a refused connection', smtpFailure('ESOCKET')],
    ['a timeout', smtpFailure('ETIMEDOUT')],
    ['an aborted send', smtpFailure('EABORT')],
    ['a full disk', smtpFailure('ENOSPC')],
    ['something that is not an Error', 'boom'],
  ])('treats %s as transient', (_what, error) => {
    const classified = toMailDeliveryError(error);
    expect(classified).toBeInstanceOf(MailDeliveryError);
    expect(classified.permanent).toBe(false);
    expect(classified.cause).toBe(error);
  });

  it('returns a MailDeliveryError unchanged', () => {
    const error = new MailDeliveryError('x', { permanent: true });
    expect(toMailDeliveryError(error)).toBe(error);
  });
});

describe('openMailer', () => {
  it('sends over SMTP when a URL is configured, else to files', async () => {
    const smtp = await openMailer({ smtpUrl: 'smtp://127.0.0.1:2525', mailDir: '/unused' });
    const files = await openMailer({ mailDir: path.join(tmpdir(), 'unused-mail') });
    expect([smtp.kind, files.kind]).toEqual(['smtp', 'files']);
    await Promise.all([smtp.close(), files.close()]);
  });

  it('refuses an unusable SMTP URL at once', async () => {
    await expect(openMailer({ smtpUrl: 'smtp://h?x=1', mailDir: '/unused' })).rejects.toThrow(
      /unknown parameter/,
    );
  });
});
