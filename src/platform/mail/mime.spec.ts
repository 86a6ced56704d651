import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { type MailMessage, MailDeliveryError } from './mailer.js';
import { composeMail, headerText, parseMailbox, quotedPrintable } from './mime.js';

const message: MailMessage = {
  from: 'Mamlaka <no-reply@mamlaka.test>',
  to: 'ana@example.com',
  subject: 'Pembayaran diterima',
  text: 'We received your payment.\n',
  html: '<p>We received your payment.</p>',
};

/** Every line of a raw message, each checked to end in CRLF. */
function lines(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  return text.slice(0, -2).split('\r\n');
}

/** Decodes quoted-printable as RFC 2045 says, independently of mailparser. */
function decodeQuotedPrintable(encoded: string): string {
  const bytes = encoded
    .replace(/=\r\n/g, '')
    .split(/(=[0-9A-F]{2})/)
    .flatMap((piece) =>
      /^=[0-9A-F]{2}$/.test(piece)
        ? [Number.parseInt(piece.slice(1), 16)]
        : [...Buffer.from(piece, 'latin1')],
    );
  return Buffer.from(bytes).toString('utf8');
}

/** A string of characters that stress an encoder: spaces, tabs, `=`, line breaks, non-ASCII. */
function awkwardText(seed: number, length: number): string {
  const pieces = [' ', '\t', '=', '\n', '\r\n', '\r', '.', 'a', 'Z', '—', 'é', '✓', '😀', '=20', '-', '  '];
  let state = seed;
  let text = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    text += pieces[state % pieces.length];
    if (state % 7 === 0) text += 'x'.repeat(state % 120);
  }
  return text;
}

describe('composeMail', () => {
  it('parses back to the same message, headers and both bodies', async () => {
    const composed = composeMail(
      {
        from: 'Toko Ümit <no-reply@mamlaka.test>',
        to: '"Buyer, Ana \\"A\\"" <ana@example.com>',
        subject: 'Pembayaran diterima — Rp 150.000 ✓',
        text: 'We received your payment.\nThank you, Ana — terima kasih!\n',
        html: '<p>We received your <b>payment</b>. Terima kasih — ✓</p>',
        headers: { 'X-Mamlaka-Event': 'payment.succeeded' },
      },
      new Date('2026-12-07T03:04:05.000Z'),
    );
    const parsed = await simpleParser(composed.raw);
    expect(parsed.from?.value).toEqual([{ name: 'Toko Ümit', address: 'no-reply@mamlaka.test' }]);
    expect(parsed.to).toMatchObject({ value: [{ name: 'Buyer, Ana "A"', address: 'ana@example.com' }] });
    expect(parsed.subject).toBe('Pembayaran diterima — Rp 150.000 ✓');
    expect(parsed.text).toBe('We received your payment.\nThank you, Ana — terima kasih!\n');
    expect(parsed.html).toBe('<p>We received your <b>payment</b>. Terima kasih — ✓</p>');
    expect(parsed.messageId).toBe(composed.messageId);
    expect(composed.messageId).toMatch(/^<[0-9a-f-]{36}@mamlaka\.test>$/);
    expect(parsed.date?.toISOString()).toBe('2026-12-07T03:04:05.000Z');
    expect(parsed.headers.get('x-mamlaka-event')).toBe('payment.succeeded');
    expect(parsed.attachments).toEqual([]);
    expect(composed.envelope).toEqual({ from: 'no-reply@mamlaka.test', to: ['ana@example.com'] });
    const raw = composed.raw.toString('latin1');
    expect(raw).toContain('\r\nDate: Mon, 07 Dec 2026 03:04:05 +0000\r\nMIME-Version: 1.0\r\n');
    expect(raw).toContain('\r\nContent-Type: multipart/alternative;\r\n boundary="_mamlaka_');
  });

  it('keeps body lines within 76 octets and headers within 998, with long words and any characters', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const text = awkwardText(seed, 300);
      const subject = awkwardText(seed + 1000, 60);
      const composed = composeMail({ ...message, subject, text, html: `<p>${text}</p>` });
      const all = lines(composed.raw);
      const bodyStart = all.indexOf('');
      for (const line of all.slice(0, bodyStart)) expect(line.length).toBeLessThanOrEqual(998);
      for (const line of all.slice(bodyStart)) expect(line.length).toBeLessThanOrEqual(76);
      const parsed = await simpleParser(composed.raw);
      const normalize = (value: string) => value.replace(/\r\n|\r/g, '\n');
      expect(parsed.text).toBe(normalize(text));
      expect(parsed.html).toBe(normalize(`<p>${text}</p>`));
      // A reader unfolds a folded header into one space, whatever blanks the fold was at.
      const words = (value: string) => value.replace(/\s+/g, ' ').trim();
      expect(words(parsed.subject ?? '')).toBe(words(subject));
    }
  });

  it('folds a long subject at its spaces, and reads back one it cannot fold', async () => {
    const long = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const folded = composeMail({ ...message, subject: long });
    expect(folded.raw.toString()).toContain('Subject: word0 word1');
    expect((await simpleParser(folded.raw)).subject).toBe(long);

    for (const line of folded.raw.toString().split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    const unbreakable = 'x'.repeat(200);
    expect((await simpleParser(composeMail({ ...message, subject: unbreakable }).raw)).subject).toBe(
      unbreakable,
    );
    const accented = 'é'.repeat(100);
    const encoded = composeMail({ ...message, subject: accented });
    expect(encoded.raw.toString()).toMatch(/\r\nSubject: =\?UTF-8\?B\?/);
    expect((await simpleParser(encoded.raw)).subject).toBe(accented);

    // Text that merely looks like an encoded word is encoded, so it reads back as typed.
    const lookalike = '=?UTF-8?B?SGk=?=';
    expect((await simpleParser(composeMail({ ...message, subject: lookalike }).raw)).subject).toBe(lookalike);
  });

  it('never lets a field start a header of its own', async () => {
    const composed = composeMail({
      ...message,
      subject: 'Hello\r\nBcc: victim@example.com\nX-Injected: 1',
      headers: { 'X-Note': 'one\r\nBcc: other@example.com' },
    });
    const parsed = await simpleParser(composed.raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.subject).toBe('Hello Bcc: victim@example.com X-Injected: 1');
    expect(parsed.headers.get('x-note')).toBe('one Bcc: other@example.com');
  });

  it('refuses what cannot be mailed, for good', () => {
    const refusal = (input: MailMessage) => {
      try {
        composeMail(input);
      } catch (error) {
        expect(error).toBeInstanceOf(MailDeliveryError);
        return error as MailDeliveryError;
      }
      throw new Error('composed');
    };
    expect(refusal({ ...message, to: 'a@example.com, b@example.com' }).permanent).toBe(true);
    expect(refusal({ ...message, to: 'nobody' }).message).toMatch(/to: not a single mailbox/);
    expect(refusal({ ...message, messageId: 'no-brackets@x' }).permanent).toBe(true);
    expect(refusal({ ...message, headers: { 'Content-Type': 'text/plain' } }).message).toMatch(
      /Content-Type/,
    );
    expect(refusal({ ...message, headers: { 'Bad Name': 'x' } }).permanent).toBe(true);
  });

  it('reads only the message fields, so nothing can be attached', async () => {
    const sneaky = { ...message, attachments: [{ path: '/etc/hostname' }], raw: 'x' } as MailMessage;
    const parsed = await simpleParser(composeMail(sneaky).raw);
    expect(parsed.attachments).toEqual([]);
    expect(parsed.text).toBe(message.text);
  });

  it('keeps a caller-chosen Message-ID, and writes internationalised domains in ASCII', async () => {
    const composed = composeMail({ ...message, to: 'Ana <ana@bücher.example>', messageId: '<m-1@mamlaka>' });
    expect(composed.messageId).toBe('<m-1@mamlaka>');
    expect(composed.envelope.to).toEqual(['ana@xn--bcher-kva.example']);
    expect(composed.raw.toString()).toContain('\r\nTo: Ana <ana@xn--bcher-kva.example>\r\n');
    // A reader shows the domain as it was typed.
    expect((await simpleParser(composed.raw)).to).toMatchObject({
      value: [{ name: 'Ana', address: 'ana@bücher.example' }],
    });
  });

  it('draws a new boundary and Message-ID for every mail', () => {
    const boundary = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString())![1];
    const mails = Array.from({ length: 1_000 }, () => composeMail(message));
    expect(new Set(mails.map((mail) => boundary(mail.raw))).size).toBe(1_000);
    expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(1_000);
  });
});

describe('quotedPrintable', () => {
  it('round-trips any text, with CRLF line breaks and lines of at most 76 octets', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const text = awkwardText(seed, 200);
      const encoded = quotedPrintable(text).toString('latin1');
      expect(encoded).toMatch(/^[\t\r\n\x20-\x7e]*$/);
      for (const line of encoded.split('\r\n')) {
        expect(line.length).toBeLessThanOrEqual(76);
        expect(line).not.toMatch(/[ \t]$/);
      }
      expect(decodeQuotedPrintable(encoded)).toBe(text.replace(/\r\n|\r|\n/g, '\r\n'));
    }
  });

  it('escapes =, trailing blanks and control characters, and leaves the rest as it is', () => {
    expect(quotedPrintable('a=b \tc \nd\t').toString()).toBe('a=3Db \tc=20\r\nd=09');
    expect(quotedPrintable('\x00\x7f é').toString()).toBe('=00=7F =C3=A9');
    expect(quotedPrintable('').toString()).toBe('');
  });

  it('breaks a long line with soft breaks, never inside an escape', () => {
    const encoded = quotedPrintable('é'.repeat(40)).toString();
    for (const line of encoded.split('\r\n')) expect(line).toMatch(/^(=[0-9A-F]{2})+=?$/);
    expect(quotedPrintable('x'.repeat(76)).toString()).toBe('x'.repeat(76));
    expect(quotedPrintable('x'.repeat(77)).toString()).toBe(`${'x'.repeat(75)}=\r\nxx`);
  });
});

describe('parseMailbox', () => {
  it('reads the forms a mailbox is written in', () => {
    expect(parseMailbox('ana@example.com')).toEqual({ name: '', address: 'ana@example.com' });
    expect(parseMailbox(' Shop <no-reply@shop.example> ')).toEqual({
      name: 'Shop',
      address: 'no-reply@shop.example',
    });
    expect(parseMailbox('"Shop, Inc." <a@b.example>')).toEqual({
      name: 'Shop, Inc.',
      address: 'a@b.example',
    });
    expect(parseMailbox('<a@localhost>')).toEqual({ name: '', address: 'a@localhost' });
  });

  it('refuses lists, line breaks and what is no address', () => {
    for (const bad of [
      'a@example.com, b@example.com',
      'Shop <a@example.com>\r\nBcc: b@example.com',
      'no-at-sign',
      '@example.com',
      'a@',
      '',
    ])
      expect(() => parseMailbox(bad), bad).toThrow();
  });
});

describe('headerText', () => {
  it('leaves a short ASCII value as it is', () => {
    expect(headerText('Your receipt')).toBe('Your receipt');
  });
});
