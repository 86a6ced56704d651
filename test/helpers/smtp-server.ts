import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type HeldAnswers, type Hold, holdAnswers } from './hold.js';

export interface TestSmtpServer {
  port: number;
  /** `smtp://127.0.0.1:<port>`, for SmtpMailer or SMTP_URL. */
  url: string;
  /** Every accepted message, parsed, in arrival order; kept across restarts. */
  messages: ParsedMail[];
  /** Connections clients have opened so far, across restarts. */
  readonly connections: number;
  /** Resolves once at least `count` messages arrived (default wait 5 s), else rejects. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Answers every RCPT TO and DATA with this SMTP code from now on; undefined accepts again. */
  failWith(code: number | undefined): void;
  /**
   * Holds back the answer to every DATA from now on (a slow server): `arrived` resolves
   * when a message is held, and `release` answers the held ones and accepts again.
   */
  hold(): Hold;
  /** Stops listening and drops open sessions (with 421, as a server shutting down does). */
  stop(): Promise<void>;
  /** Stops, then listens again on the same port: an outage as a client sees it. */
  restart(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
// A stopping server gives open sessions this long before it cuts them off.
const CLOSE_TIMEOUT_MS = 100;

const smtpError = (code: number): Error =>
  Object.assign(new Error(code >= 500 ? 'refused by the test server' : 'try again later'), {
    responseCode: code,
  });

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 that accepts any sender and
 * recipient without authentication and keeps each message parsed by mailparser. Plain
 * SMTP only: STARTTLS is disabled, so clients need no certificate. A message is parsed
 * before the server answers DATA, so once a client's send resolves it is in `messages`.
 */
export async function startSmtpServer(options: { port?: number } = {}): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  let failure: number | undefined;
  let held: HeldAnswers | undefined;
  let server: SMTPServer | undefined;
  let port = options.port ?? 0;
  let connections = 0;

  const listen = async (): Promise<void> => {
    const instance = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: MAX_MESSAGE_BYTES,
      closeTimeout: CLOSE_TIMEOUT_MS,
      onConnect(_session, callback) {
        connections += 1;
        callback();
      },
      onRcptTo(_address, _session, callback) {
        callback(failure === undefined ? null : smtpError(failure));
      },
      onData(stream, _session, callback) {
        buffer(stream)
          .then(async (raw) => {
            // Read the whole message first: answering before the client finished sending
            // would break the session.
            if (failure !== undefined) return callback(smtpError(failure));
            if (held) {
              held.arrived();
              await held.released;
            }
            messages.push(await simpleParser(raw));
            for (const wake of waiters) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      instance.server.once('error', reject);
      instance.listen(port, '127.0.0.1', () => {
        instance.server.off('error', reject);
        resolve();
      });
    });
    port = (instance.server.address() as AddressInfo).port;
    server = instance;
  };

  const stop = async (): Promise<void> => {
    const instance = server;
    if (!instance) return;
    server = undefined;
    await new Promise<void>((resolve) => instance.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    messages,
    get connections() {
      return connections;
    },
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} mail(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    failWith(code) {
      failure = code;
    },
    hold() {
      const gate = holdAnswers(() => (held = undefined));
      held = gate.held;
      return gate.hold;
    },
    stop,
    async restart() {
      await stop();
      await listen();
    },
  };
}
