// A gRPC load generator in the manner of autocannon: request bytes encoded once, `streams`
// unary calls in flight at all times on one HTTP/2 connection (as one gRPC channel), each
// answer checked for its grpc-status and not decoded, so that what is measured is the
// server. grpc-js's own client spends several times the server's CPU per call on these
// small messages; on a machine where client and server share the cores, a bench driven by
// it measures mostly the client.
import http2 from 'node:http2';

export interface UnaryCall {
  /** `/package.Service/Method`. */
  path: string;
  /** Encoded request messages, sent in turn. */
  messages: Buffer[];
  metadata: Record<string, string>;
}

export interface LoadResult {
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  calls: number;
  errors: number;
  /** The first error's grpc-status and message, to tell what failed. */
  firstError?: string;
}

/** A message as gRPC frames it: uncompressed flag, 4-byte big-endian length, the bytes. */
export function framed(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** One call, answered with the message bytes (unframed), for checking what the server says. */
export async function callOnce(address: string, call: UnaryCall, n = 0): Promise<Buffer> {
  const session = http2.connect(`http://${address}`);
  try {
    const { status, data, message } = await send(session, call, n);
    if (status !== '0') throw new Error(`${call.path}: grpc-status ${status} ${message ?? ''}`);
    return data.subarray(5);
  } finally {
    session.close();
  }
}

function send(
  session: http2.ClientHttp2Session,
  call: UnaryCall,
  n: number,
): Promise<{ status: string | undefined; data: Buffer; message?: string }> {
  return new Promise((resolve) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': call.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...call.metadata,
    });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let message: string | undefined;
    // A failure before any answer comes as headers only (a "trailers-only" response).
    stream.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']);
      message = headers['grpc-message'] as string | undefined;
    });
    stream.on('trailers', (trailers) => {
      status = String(trailers['grpc-status']);
      message = trailers['grpc-message'] as string | undefined;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => resolve({ status: 'stream error', data: Buffer.alloc(0) }));
    stream.on('close', () => resolve({ status, data: Buffer.concat(chunks), message }));
    stream.end(call.messages[n % call.messages.length]);
  });
}

/** `streams` calls in flight on one connection for `seconds`; latencies of the successful ones. */
export async function unaryLoad(
  address: string,
  call: UnaryCall,
  streams: number,
  seconds: number,
): Promise<LoadResult> {
  const session = http2.connect(`http://${address}`);
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      const { status, message } = await send(session, call, n++);
      if (status === '0') latencies.push(performance.now() - started);
      else {
        errors += 1;
        firstError ??= `grpc-status ${status} ${message ?? ''}`.trim();
      }
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: streams }, worker));
  } finally {
    session.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0;
  return {
    callsPerSec: latencies.length / elapsed,
    p50Ms: Math.round(at(50) * 10) / 10,
    p99Ms: Math.round(at(99) * 10) / 10,
    calls: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}
