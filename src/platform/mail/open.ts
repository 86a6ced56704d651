import { FilesMailer } from './files.mailer.js';
import type { Mailer } from './mailer.js';

export interface MailerOptions {
  /** `smtp://` or `smtps://` URL (see smtpConnectionOptions); without it mail goes to files. */
  smtpUrl?: string;
  /** Where `.eml` files go when there is no SMTP server, normally `<DATA_DIR>/mail`. */
  mailDir: string;
  /** SMTP connect, greeting and idle-socket timeout; default 10 s. */
  timeoutMs?: number;
}

/**
 * SMTP when a server is configured, else `.eml` files under `mailDir`.
 * @throws Error for an unusable SMTP URL, so a bad setting stops the boot.
 */
export async function openMailer(options: MailerOptions): Promise<Mailer> {
  if (!options.smtpUrl) return new FilesMailer(options.mailDir);
  // The SMTP client (nodemailer) is loaded only when there is a server to talk to.
  const { SmtpMailer } = await import('./smtp.mailer.js');
  return new SmtpMailer(options.smtpUrl, { timeoutMs: options.timeoutMs });
}
