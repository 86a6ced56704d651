import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOn } from '../../platform/ports.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from './webhooks.signature.js';

/**
 * A webhook receiver for trying webhooks on one's own machine (`mamlaka webhooks listen`):
 * it answers every POST, checks the signature when it knows the endpoint's secret, and
 * reports each delivery as one line, `<event type> <event id> <verdict>`.
 */

/** Far above any event the platform sends; a bigger body is refused unread. */
export const RECEIVER_MAX_BODY_BYTES = 1_048_576;
// What one line shows of a field that the sender, whoever it is, chose.
const MAX_FIELD_CHARS = 120;

export interface DeliveryVerdict {
  /** The HTTP status to answer: 2xx tells the platform the delivery arrived. */
  status: number;
  line: string;
}

/**
 * Judges one delivery: without a secret it is accepted unverified; with one, a signature
 * that does not verify (or a timestamp more than `toleranceSeconds` away) is answered 400.
 */
export function judgeDelivery(input: {
  body: string;
  signature: string | undefined;
  secret: string | undefined;
  toleranceSeconds?: number;
  now?: number;
}): DeliveryVerdict {
  const { type, id } = eventOf(input.body);
  if (!input.secret) return { status: 200, line: `${type} ${id} unverified` };
  const check = verifyWebhookSignature(input.signature, input.body, input.secret, {
    toleranceSeconds: input.toleranceSeconds ?? 300,
    now: input.now,
  });
  return check.ok
    ? { status: 200, line: `${type} ${id} signature ok` }
    : { status: 400, line: `${type} ${id} signature invalid (${check.reason})` };
}

function eventOf(body: string): { type: string; id: string } {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return { type: '(not json)', id: '-' };
  }
  const field = (name: string) => {
    const value = (event as Record<string, unknown> | null)?.[name];
    return typeof value === 'string' && value !== '' ? printable(value) : '-';
  };
  return { type: field('type'), id: field('id') };
}

// Anyone who can reach the port can post: control characters and spaces would let a body
// forge lines (or a verdict) in the log that a person or a script reads.
const printable = (value: string) => value.slice(0, MAX_FIELD_CHARS).replace(/[^\x21-\x7e]/g, '?');

export interface WebhookReceiver {
  /** Where it listens, e.g. `http://127.0.0.1:9000`; any path is accepted. */
  url: string;
  /** Stops taking deliveries and closes open connections. */
  close(): Promise<void>;
  /** Settles once `stopAfter` deliveries were accepted and answered (never without it). */
  finished: Promise<void>;
}

/** Listens on `host:port` (0: any free port) and calls `print` with each delivery's line. */
export async function startWebhookReceiver(options: {
  port: number;
  host: string;
  /** The endpoint's signing secret; without it deliveries are accepted unverified. */
  secret?: string;
  print: (line: string) => void;
  toleranceSeconds?: number;
  /** Accepted deliveries after which `finished` settles, e.g. 1 to wait for one event. */
  stopAfter?: number;
}): Promise<WebhookReceiver> {
  let accepted = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const server = createServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const answer = (verdict: DeliveryVerdict) => {
      options.print(verdict.line);
      const counted =
        verdict.status < 300 && options.stopAfter !== undefined && ++accepted >= options.stopAfter;
      response
        .writeHead(verdict.status, { 'content-type': 'application/json', connection: 'close' })
        .end(JSON.stringify({ received: verdict.status < 300 }), () => {
          if (counted) finish();
        });
    };
    const tooLarge = { status: 413, line: `- - refused: body over ${RECEIVER_MAX_BODY_BYTES} bytes` };
    if (Number(request.headers['content-length']) > RECEIVER_MAX_BODY_BYTES) {
      answer(tooLarge);
      return;
    }
    readBody(request).then(
      (body) => {
        if (body !== undefined) {
          const signature = header(request, SIGNATURE_HEADER);
          const { secret, toleranceSeconds } = options;
          answer(judgeDelivery({ body, signature, secret, toleranceSeconds }));
        } else {
          // A chunked body past the limit: the connection is dropped rather than read to its end.
          options.print(tooLarge.line);
          response.destroy();
        }
      },
      () => response.destroy(),
    );
  });
  await listenOn('--port', options.port, () => {
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    finished,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as text, or undefined once it passes the limit (the rest is not read). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > RECEIVER_MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
