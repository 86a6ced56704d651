import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pooledRandomBytes } from '../crypto/random-pool.js';
import { writeFileAtomically } from '../fs/atomic-write.js';
import { type MailMessage, type Mailer, toMailDeliveryError } from './mailer.js';
import { composeMail } from './mime.js';

/** Longest part of a Message-ID kept in a file name, so names stay well under NAME_MAX. */
const MAX_ID_IN_NAME = 64;
/**
 * Files written at once. Each write waits for its fsync, and fsyncs issued together are
 * flushed by one journal commit: with 5 at a time a sender wrote about 250 mails/s here,
 * fewer than two mails per sale at 150 sales/s; with 16 it kept up.
 */
const FILES_IN_FLIGHT = 16;

/**
 * File name of a mail sent at `sentAt`: the ISO time first so names sort by time
 * (`:` becomes `-`, which some file systems refuse), then the Message-ID for a human to
 * match, then random hex, because a caller may send the same Message-ID twice within a
 * millisecond and rename would silently replace the first file.
 */
export function emlFileName(sentAt: Date, messageId: string): string {
  const id = messageId
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, MAX_ID_IN_NAME);
  return `${sentAt.toISOString().replaceAll(':', '-')}-${id}-${pooledRandomBytes(3).toString('hex')}.eml`;
}

/**
 * Mail as RFC 822 `.eml` files in one directory, for when no SMTP server is configured:
 * every file is the exact MIME message an SMTP server would have received, so any mail
 * client opens it.
 */
export class FilesMailer implements Mailer {
  readonly kind = 'files' as const;
  readonly concurrency = FILES_IN_FLIGHT;
  #directory: Promise<unknown> | undefined;

  constructor(private readonly dir: string) {}

  /** Writes the message atomically: a reader never sees half a file, even after a crash. */
  async send(message: MailMessage): Promise<{ messageId: string }> {
    try {
      const sentAt = new Date();
      const { messageId, raw } = composeMail(message, sentAt);
      await this.directory();
      await writeFileAtomically(path.join(this.dir, emlFileName(sentAt, messageId)), raw);
      return { messageId };
    } catch (error) {
      // Someone removed the directory meanwhile: the next send makes it again.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.#directory = undefined;
      throw toMailDeliveryError(error);
    }
  }

  /** Makes the directory once, not on every send. */
  private directory(): Promise<unknown> {
    // Mail holds reset links and receipts: the directory is the platform user's alone.
    this.#directory ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      this.#directory = undefined;
      throw error;
    });
    return this.#directory;
  }

  async close(): Promise<void> {}
}
