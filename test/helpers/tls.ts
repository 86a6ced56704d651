import http2 from 'node:http2';
import https from 'node:https';
import tls, { type ConnectionOptions } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { createDevCertificates, type DevCertificates } from '../../src/platform/tls/dev-certificates.js';
import { loadContracts } from '../../src/platform/grpc/contracts.js';

let cached: { ours: DevCertificates; foreign: DevCertificates } | undefined;

/** Our local CA's certificates, and another CA's, made once per test file. */
export function testCertificates(): { ours: DevCertificates; foreign: DevCertificates } {
  cached ??= { ours: createDevCertificates(), foreign: createDevCertificates() };
  return cached;
}

/** TLS_CERT/TLS_KEY of our server certificate, and GRPC_TLS_CA when gRPC should be mutual. */
export function tlsEnv(certs: DevCertificates, mutual: boolean): Record<string, string> {
  return {
    TLS_CERT: certs.server.cert,
    TLS_KEY: certs.server.key,
    ...(mutual ? { GRPC_TLS_CA: certs.ca.cert } : {}),
  };
}

export interface TlsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** What ALPN settled on: `h2` or `http/1.1`. */
  alpn: string | false | null;
  httpVersion: string;
}

/** One request over HTTP/2 (node:http2, which offers only h2 by ALPN), trusting `ca`. */
export function h2Request(
  origin: string,
  method: string,
  path: string,
  ca: string,
  body?: unknown,
): Promise<TlsResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, { ca });
    session.on('error', reject);
    const headers: http2.OutgoingHttpHeaders = { ':method': method, ':path': path };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const stream = session.request(headers);
    let text = '';
    let responseHeaders: http2.IncomingHttpHeaders = {};
    stream.setEncoding('utf8');
    stream.on('response', (received) => (responseHeaders = received));
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      const alpn = session.alpnProtocol ?? null;
      session.close();
      resolve({
        status: Number(responseHeaders[':status']),
        headers: responseHeaders,
        body: text,
        alpn,
        httpVersion: '2.0',
      });
    });
    stream.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** One request over HTTP/1.1 (node:https, which offers only http/1.1 by ALPN here), trusting `ca`. */
export function http1Request(origin: string, method: string, path: string, ca: string): Promise<TlsResponse> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      new URL(path, origin),
      // ALPN is passed on to tls.connect, though https' types leave it out.
      { method, ca, ALPNProtocols: ['http/1.1'], agent: false } as https.RequestOptions,
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text,
            alpn: (response.socket as tls.TLSSocket).alpnProtocol,
            httpVersion: response.httpVersion,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

export type Handshake =
  | { ok: true; protocol: string | null; cipher: string }
  | { ok: false; code: string | undefined; message: string };

/** A bare TLS handshake with `port` on 127.0.0.1, resolved either way with what happened. */
export function handshake(port: number, options: ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      const result: Handshake = { ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.end();
      resolve(result);
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: error.code, message: error.message }),
    );
  });
}

/** A gRPC client of the users service with the given credentials. */
export function usersClient(address: string, credentials: grpc.ChannelCredentials) {
  const { UserService } = loadContracts().users.mamlaka.users.v1;
  return new UserService(address, credentials);
}
