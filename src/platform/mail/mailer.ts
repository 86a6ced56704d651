/**
 * One e-mail, already rendered. Both bodies are always sent (multipart/alternative), so a
 * client that shows no HTML still gets a readable message.
 */
export interface MailMessage {
  /** A mailbox, e.g. `Mamlaka <no-reply@mamlaka.local>`. */
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** A caller-chosen Message-ID (`<id@domain>`), e.g. to let receivers spot a resent mail; generated when absent. */
  messageId?: string;
  headers?: Record<string, string>;
}

/** Where mail goes: an SMTP server, or `.eml` files on disk when none is configured. */
export interface Mailer {
  readonly kind: 'smtp' | 'files';
  /**
   * How many sends this mailer takes at once: a sender keeps that many on their way, and
   * more would only queue inside the mailer.
   */
  readonly concurrency: number;
  /**
   * Delivers one message (hands it to the SMTP server, or writes its file).
   * @throws MailDeliveryError, whose `permanent` says whether sending the same message
   * again can succeed.
   */
  send(message: MailMessage): Promise<{ messageId: string }>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/**
 * A send that failed. `permanent` means retrying this message is pointless (the server
 * refused it for good); otherwise the failure was about the connection or the moment, and
 * a later attempt may go through.
 */
export class MailDeliveryError extends Error {
  readonly permanent: boolean;
  /** The SMTP reply code, when a server answered. */
  readonly responseCode: number | undefined;
  /** The underlying error code (nodemailer's EENVELOPE, ETIMEDOUT…, or a file system errno). */
  readonly code: string | undefined;

  constructor(
    message: string,
    details: { permanent: boolean; responseCode?: number; code?: string; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.name = 'MailDeliveryError';
    this.permanent = details.permanent;
    this.responseCode = details.responseCode;
    this.code = details.code;
  }
}

/**
 * RFC 5321: 5yz replies are permanent, 4yz transient. 503 (bad sequence of commands) is
 * the exception, as nodemailer also treats it: it says the session was in the wrong state,
 * not that the message was refused, so the message can go through on a new connection.
 */
export const isPermanentSmtpCode = (responseCode: number): boolean =>
  responseCode >= 500 && responseCode < 600 && responseCode !== 503;

/**
 * Classifies any failure of a send. Permanent only when retrying the same message cannot
 * help: a 5xx refusal of the message or its recipients, or an envelope nodemailer refused
 * before connecting (no valid recipient). Everything else (refused connections,
 * timeouts, 4xx, an aborted send, errors of unknown shape) is transient, because a
 * retry is bounded by the caller while a wrongly dropped mail is lost for good.
 *
 * A failed login (EAUTH, even with 535) is transient too: it is our account that is
 * wrong, not the message, and mail queued behind it should go out once an operator fixes
 * the credentials.
 */
export function toMailDeliveryError(error: unknown): MailDeliveryError {
  if (error instanceof MailDeliveryError) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
  };
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const responseCode = typeof fields.responseCode === 'number' ? fields.responseCode : undefined;
  const permanent =
    code !== 'EAUTH' &&
    (responseCode !== undefined ? isPermanentSmtpCode(responseCode) : code === 'EENVELOPE');
  const message = error instanceof Error ? error.message : String(error);
  return new MailDeliveryError(`mail not delivered: ${message}`, {
    permanent,
    responseCode,
    code,
    cause: error,
  });
}
