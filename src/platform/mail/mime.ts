import { randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWord, encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { pooledRandomBytes } from '../crypto/random-pool.js';
import { type MailMessage, MailDeliveryError } from './mailer.js';

/**
 * Our mail as RFC 5322 / MIME bytes, in the one shape every mail of ours has:
 * multipart/alternative with a UTF-8 text and an HTML part, both quoted-printable, lines
 * ending in CRLF. Every encoding is nodemailer's own (its quoted-printable, RFC 2047 words,
 * header folding and address parser); only the assembly of this fixed shape is written
 * here. nodemailer's composer builds any shape through a pipeline of streams, at about
 * 400 µs a mail, a fifth of the server's CPU at 300 sales/s; this costs about a tenth of
 * that. mime.spec.ts parses the result back with mailparser.
 */
export interface ComposedMail {
  messageId: string;
  /** What an SMTP transport says in MAIL FROM and RCPT TO. */
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

/** A display name and an address; the name may be empty. */
export interface Mailbox {
  name: string;
  address: string;
}

/** Headers that composeMail writes itself; a caller's header may not replace them. */
const COMPOSED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);
const HEADER_NAME = /^[!-9;-~]{1,76}$/;
const MESSAGE_ID = /^<[!-;=?-~]+@[!-;=?-~]+>$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const LINE_BREAKS = /\r\n|[\r\n]/g;
// A local part of one word, no blanks, quotes or control characters (C0 and DEL).
// eslint-disable-next-line no-control-regex
const LOCAL_PART = /^[^\s@<>()[\],;:"\\\x00-\x1f\x7f]{1,64}$/u;

/** A header line, folded as nodemailer folds its own. */
const header = (name: string, value: string) => `${foldLines(`${name}: ${value}`, 76)}\r\n`;

/** A message that cannot be composed: sending it again cannot help. */
function refused(reason: string): MailDeliveryError {
  return new MailDeliveryError(`mail not composed: ${reason}`, { permanent: true, code: 'EMESSAGE' });
}

/**
 * One mailbox, as nodemailer's address parser reads it: `name <address>`,
 * `"quoted name" <address>` or a bare address. The domain is kept in its ASCII form
 * (punycode) unless the local part is not ASCII, which needs SMTPUTF8 anyway.
 * @throws Error naming what is wrong: no address, a list, a group, a line break.
 */
export function parseMailbox(input: string): Mailbox {
  if (/[\r\n\0]/.test(input)) throw new Error('a mailbox may not contain line breaks');
  const found = addressparser(input, { flatten: true });
  const mailbox = found.length === 1 ? found[0]! : undefined;
  const address = mailbox?.address ?? '';
  const at = address.lastIndexOf('@');
  if (!mailbox || at < 1 || !LOCAL_PART.test(address.slice(0, at)))
    throw new Error(`not a single mailbox: ${JSON.stringify(input.slice(0, 100))}`);
  const local = address.slice(0, at);
  const domain = PRINTABLE_ASCII.test(local) ? domainToASCII(address.slice(at + 1)) : address.slice(at + 1);
  // eslint-disable-next-line no-control-regex
  if (!domain || /[\s<>()[\],;:"\\\x00-\x1f\x7f]/.test(domain))
    throw new Error(`not a mail domain: ${JSON.stringify(address.slice(at + 1, at + 101))}`);
  return { name: mailbox.name.trim(), address: `${local}@${domain}` };
}

/** Builds the message. @throws MailDeliveryError (permanent) when a field cannot be mailed. */
export function composeMail(message: MailMessage, now: Date = new Date()): ComposedMail {
  const mailbox = (field: 'from' | 'to') => {
    try {
      return parseMailbox(message[field]);
    } catch (error) {
      throw refused(`${field}: ${(error as Error).message}`);
    }
  };
  const from = mailbox('from');
  const to = mailbox('to');
  const messageId =
    message.messageId ?? `<${randomUUID()}@${from.address.slice(from.address.lastIndexOf('@') + 1)}>`;
  if (!MESSAGE_ID.test(messageId)) throw refused('a Message-ID is <id@domain>, in printable ASCII');
  const boundary = `_mamlaka_${pooledRandomBytes(12).toString('hex')}`;

  let head =
    header('From', formatMailbox(from)) +
    header('To', formatMailbox(to)) +
    header('Subject', headerText(message.subject)) +
    `Message-ID: ${messageId}\r\n` +
    `Date: ${now.toUTCString().replace('GMT', '+0000')}\r\n` +
    'MIME-Version: 1.0\r\n';
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!HEADER_NAME.test(name) || COMPOSED_HEADERS.has(name.toLowerCase()))
      throw refused(`header ${JSON.stringify(name.slice(0, 80))} cannot be set`);
    head += header(name, headerText(value));
  }
  head += `Content-Type: multipart/alternative;\r\n boundary="${boundary}"\r\n\r\n`;
  const part = (type: string) =>
    `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`;
  const raw = Buffer.concat([
    Buffer.from(head + part('text/plain')),
    quotedPrintable(message.text),
    Buffer.from(`\r\n${part('text/html')}`),
    quotedPrintable(message.html),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { messageId, envelope: { from: from.address, to: [to.address] }, raw };
}

/** nodemailer's choice: Q encoding for mostly Latin text, B for the rest. */
function wordEncoding(value: string): 'Q' | 'B' {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80 || (code < 0x20 && code !== 0x09)) other++;
    else if ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) latin++;
  }
  return other < latin ? 'Q' : 'B';
}

/** `name <address>`, the name quoted or encoded as nodemailer does; a bare address without one. */
function formatMailbox({ name, address }: Mailbox): string {
  if (!name) return address;
  if (/^[\w ]*$/.test(name)) return `${name} <${address}>`;
  if (PRINTABLE_ASCII.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
  return `${encodeWord(name, wordEncoding(name), 52)} <${address}>`;
}

/**
 * An unstructured header's value (RFC 5322 2.2.1), as nodemailer encodes one: line
 * breaks become spaces, so a value can never start a header of its own; other control
 * characters and non-ASCII text go out as RFC 2047 encoded words.
 */
export function headerText(input: string): string {
  const value = input.replace(LINE_BREAKS, ' ');
  const encoding = wordEncoding(value);
  // Text that merely looks like an encoded word is encoded too (nodemailer leaves a valid
  // one as it is), so a reader shows it as it was typed.
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|=\?/.test(value)
    ? encodeWord(value, encoding, 52)
    : encodeWords(value, encoding, 52, true);
}

/**
 * Quoted-printable (RFC 2045 6.7) of UTF-8 text, by nodemailer's encoder: line breaks of
 * any kind become CRLF, lines longer than 76 octets get soft breaks, and blanks that end a
 * line are escaped.
 */
export function quotedPrintable(text: string): Buffer {
  return Buffer.from(qpWrap(qpEncode(text.replace(LINE_BREAKS, '\r\n')), 76), 'latin1');
}
