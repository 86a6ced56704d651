import nodemailer, {
  type SMTPSentMessageInfo,
  type SMTPTransportOptions,
  type Transporter,
} from 'nodemailer';
import { type MailMessage, type Mailer, toMailDeliveryError } from './mailer.js';
import { composeMail } from './mime.js';

export interface SmtpMailerOptions {
  /** How long to wait to connect, for the server's greeting, and on an idle socket. Default 10 s. */
  timeoutMs?: number;
  /**
   * Deadline of one whole send. The timeouts above only bound each wait, so a server
   * trickling bytes could otherwise hold a send forever. Default 60 s.
   */
  sendTimeoutMs?: number;
  /** Connections kept open to the server, each carrying one message at a time. Default 5. */
  connections?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_SEND_TIMEOUT_MS = 60_000;
/** nodemailer's own defaults for a pooled transport. */
const DEFAULT_CONNECTIONS = 5;
const MESSAGES_PER_CONNECTION = 100;

type TlsMode = 'off' | 'insecure' | 'required';
const TLS_MODES: readonly TlsMode[] = ['off', 'insecure', 'required'];

/**
 * Reads an SMTP URL into nodemailer connection options. We parse it ourselves instead of
 * handing the string to nodemailer, which turns every query parameter into a transport
 * option: here an unknown parameter is a configuration error, caught at boot.
 *
 * - `smtp://[user:pass@]host[:port]`: plain SMTP (port 587 by default), upgraded with
 *   STARTTLS whenever the server offers it, with the certificate verified.
 * - `smtps://[user:pass@]host[:port]`: TLS from the first byte (port 465 by default).
 * - `?tls=required`: refuse to send unless STARTTLS succeeds (smtp only).
 * - `?tls=insecure`: encrypt, but accept any certificate, e.g. a test server's
 *   self-signed one.
 * - `?tls=off`: never use STARTTLS, even if offered (smtp only), for a local catcher such
 *   as Mailpit or smtp-server whose STARTTLS has no usable certificate.
 *
 * User and password are percent-decoded. Error messages never repeat the URL, since it
 * may hold the password.
 */
export function smtpConnectionOptions(url: string): SMTPTransportOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('SMTP URL is not a valid URL');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new Error(`SMTP URL must start with smtp:// or smtps://, not ${parsed.protocol}//`);
  }
  if (!parsed.hostname) throw new Error('SMTP URL has no host');
  for (const key of parsed.searchParams.keys()) {
    if (key !== 'tls') throw new Error(`SMTP URL has an unknown parameter ${JSON.stringify(key)}`);
  }
  const tls = parsed.searchParams.get('tls') ?? undefined;
  if (tls !== undefined && !TLS_MODES.includes(tls as TlsMode)) {
    throw new Error(`SMTP URL parameter tls must be one of ${TLS_MODES.join(', ')}`);
  }
  const secure = parsed.protocol === 'smtps:';
  if (secure && (tls === 'off' || tls === 'required')) {
    throw new Error(`SMTP URL: tls=${tls} makes no sense with smtps://, which is always TLS`);
  }

  const options: SMTPTransportOptions = {
    // An IPv6 literal comes bracketed from URL; net.connect wants it bare.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    secure,
  };
  if (parsed.port) options.port = Number(parsed.port);
  if (parsed.username) {
    options.auth = {
      user: decodeURIComponent(parsed.username),
      pass: decodeURIComponent(parsed.password),
    };
  }
  if (tls === 'off') options.ignoreTLS = true;
  if (tls === 'required') options.requireTLS = true;
  if (tls === 'insecure') options.tls = { rejectUnauthorized: false };
  return options;
}

/**
 * Mail handed to an SMTP server over a pool of connections (nodemailer's pooled transport):
 * every sale sends mail, and a connection per message paid for TCP, the greeting, EHLO and
 * any TLS handshake each time. A connection is replaced after 100 messages, or when the
 * server closes it (a restart, an idle timeout): a send on it fails as transient and is
 * retried like any other.
 */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  readonly concurrency: number;
  private readonly transport: Transporter<SMTPSentMessageInfo>;
  private readonly sendTimeoutMs: number;
  private closed = false;

  /** @throws Error when the URL is not a usable SMTP URL (see smtpConnectionOptions). */
  constructor(url: string, options: SmtpMailerOptions = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.concurrency = options.connections ?? DEFAULT_CONNECTIONS;
    this.transport = nodemailer.createTransport({
      ...smtpConnectionOptions(url),
      pool: true,
      maxConnections: this.concurrency,
      maxMessages: MESSAGES_PER_CONNECTION,
      // nodemailer waits up to 2 minutes to connect and 10 minutes on a silent socket
      // by default, far longer than a retry loop should be blocked.
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
      // Messages are only ever our rendered text and HTML; nothing may make the
      // transport read local files or fetch URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    try {
      // Composed here, as the files mailer composes it; nodemailer only carries the bytes.
      const { messageId, envelope, raw } = composeMail(message);
      await this.transport.sendMail({
        envelope,
        raw,
        // An aborted send may still have been accepted by the server, so a retry after
        // this deadline can deliver twice: acceptable for notifications, and rare.
        signal: AbortSignal.timeout(this.sendTimeoutMs),
      });
      return { messageId };
    } catch (error) {
      throw toMailDeliveryError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.transport.close();
  }
}
