import { createDecipheriv, createECDH, type ECDH, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify } from 'jose';
import { type HeldAnswers, type Hold, holdAnswers } from './hold.js';

/** One request the endpoint received, as the push service would have. */
export interface ReceivedPush {
  endpoint: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The status the endpoint answered with. */
  status: number;
}

/** A browser's push subscription: its keys stay here, as a browser keeps them. */
export interface TestBrowser {
  /** The JSON a browser's `PushSubscription.toJSON()` gives, for POST /push/subscriptions. */
  subscription: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  /** Decrypts an aes128gcm body sent to this browser (RFC 8291) to its plaintext. */
  decrypt(body: Buffer): string;
}

export interface TestPushEndpoint {
  url: string;
  received: ReceivedPush[];
  /** A new browser whose subscription points at this endpoint. */
  browser(): TestBrowser;
  /** Answers the next requests for `browser` with these statuses, in order; 201 afterwards. */
  answer(browser: TestBrowser, statuses: number[]): void;
  /**
   * Holds back every answer from now on (a slow push service): `arrived` resolves when a
   * request is held, and `release` answers the held ones and answers at once again.
   */
  hold(): Hold;
  /** Requests that reached `browser`'s endpoint, in arrival order. */
  to(browser: TestBrowser): ReceivedPush[];
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 8192;

/**
 * A push service on 127.0.0.1, standing in for FCM or Mozilla's: it takes any POST to
 * /push/<id> and answers 201 (or what a test asked for). The decryption is written here by
 * hand because it is exactly what a browser does and no library in the stack does the
 * receiving side; it follows RFC 8291 (ECDH P-256, HKDF-SHA-256, AES-128-GCM).
 */
export async function startPushEndpoint(): Promise<TestPushEndpoint> {
  const received: ReceivedPush[] = [];
  const answers = new Map<string, number[]>();
  let held: HeldAnswers | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', async () => {
      const endpoint = `${url}${request.url ?? ''}`;
      const status = size > MAX_BODY_BYTES ? 413 : (answers.get(endpoint)?.shift() ?? 201);
      received.push({ endpoint, headers: request.headers, body: Buffer.concat(chunks), status });
      if (held) {
        held.arrived();
        await held.released;
      }
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    browser() {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      return {
        subscription: {
          endpoint: `${url}/push/${randomUUID()}`,
          expirationTime: null,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
        },
        decrypt: (body) => decryptAes128gcm(body, ecdh, auth),
      };
    },
    answer(browser, statuses) {
      answers.set(browser.subscription.endpoint, [...statuses]);
    },
    hold() {
      const gate = holdAnswers(() => (held = undefined));
      held = gate.held;
      return gate.hold;
    },
    to: (browser) => received.filter((push) => push.endpoint === browser.subscription.endpoint),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * RFC 8291 §3.4 and RFC 8188: the body is salt (16) | record size (4) | key id length (1)
 * | key id (the sender's ephemeral public key) | records. A message this small is one record,
 * whose plaintext ends in the last-record delimiter 0x02 followed by zero padding.
 */
export function decryptAes128gcm(body: Buffer, browser: ECDH, authSecret: Buffer): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const keyIdLength = body[20]!;
  const senderPublic = body.subarray(21, 21 + keyIdLength);
  const record = body.subarray(21 + keyIdLength);
  if (record.length > recordSize) throw new Error('more than one record: not expected for a push this small');
  const browserPublic = browser.getPublicKey();
  const ecdhSecret = browser.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), browserPublic, senderPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end).toString('utf8');
}

/**
 * Checks the VAPID Authorization header (RFC 8292 §3): `vapid t=<JWT>, k=<public key>`,
 * the JWT signed ES256 by that key, for the endpoint's origin, not expired, with a contact.
 * @returns the key and the JWT's claims
 */
export async function verifyVapid(authorization: string | undefined, endpoint: string) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) throw new Error(`not a VAPID authorization: ${authorization}`);
  const [, token, key] = match as unknown as [string, string, string];
  const point = Buffer.from(key, 'base64url');
  const publicKey = await importJWK(
    {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    'ES256',
  );
  const { payload } = await jwtVerify(token, publicKey, {
    algorithms: ['ES256'],
    audience: new URL(endpoint).origin,
    requiredClaims: ['exp', 'sub'],
  });
  return { key, claims: payload };
}
