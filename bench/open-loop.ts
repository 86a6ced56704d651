// A load generator for latency at a fixed rate, written by hand because autocannon's rate
// limit is a per-second quota per connection: each second starts with a burst and ends
// idle, which is not a fixed rate, and its latencies leave out the time a request waited
// for a free connection (coordinated omission). Here request n is due at start + n / rate
// whatever happened before; it goes out on an idle keep-alive connection (a new one is
// opened up to a cap), else waits in line, and its latency is counted from when it was
// due. So a server that stalls shows its stall in every request that queued behind it.
// The same connections also run closed-loop (each sends the next request on the previous
// answer), to find the peak the fixed rate is a share of.
import { connect, type Socket } from 'node:net';

export interface LoadTarget {
  /** http://host:port */
  url: string;
  /** The raw request for a connection: `slot` is the connection's number, stable for its life. */
  request: (slot: number) => Buffer;
  /** Whether an answer counts as a success; default: any 2xx. */
  accept?: (status: number, body: Buffer) => boolean;
}

export interface LoadResult {
  seconds: number;
  /** Requests due (open loop) or sent (closed loop). */
  due: number;
  succeeded: number;
  /** Answers that were not a success, by status. */
  rejected: Record<number, number>;
  /** Broken connections, and requests still unanswered when the drain time ran out. */
  errors: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How late requests went out after they were due (the client's own queue): p99. */
  sendDelayP99Ms: number;
  /** p99 of the successes that completed in each second, for charts. */
  p99BySecond: [number, number][];
}

/** The bytes of one HTTP/1.1 request with a keep-alive connection. */
export function httpRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Buffer {
  const host = new URL(url).host;
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const payload = body === undefined ? undefined : Buffer.from(body);
  if (payload) lines.push(`content-length: ${payload.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return payload ? Buffer.concat([head, payload]) : head;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/** One keep-alive connection with at most one request in flight; answers parsed just enough. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private status = 0;
  private length = -1;
  private chunked = false;
  private headerDone = false;
  private pending: { dueAt: number; sentAt: number } | undefined;
  busy = false;
  closed = false;

  constructor(
    private readonly socket: Socket,
    readonly slot: number,
    private readonly onAnswer: (c: Connection, status: number, body: Buffer, dueAt: number) => void,
    private readonly onBroken: (c: Connection, dueAt: number | undefined) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    const broken = () => {
      if (this.closed) return;
      this.closed = true;
      this.onBroken(this, this.pending?.dueAt);
      this.pending = undefined;
    };
    socket.on('error', broken);
    socket.on('close', broken);
  }

  send(request: Buffer, dueAt: number): number {
    this.busy = true;
    const sentAt = performance.now();
    this.pending = { dueAt, sentAt };
    this.socket.write(request);
    return sentAt;
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (!this.headerDone) {
        const end = this.buffer.indexOf(CRLF2);
        if (end === -1) return;
        const head = this.buffer.toString('latin1', 0, end);
        this.status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.length = length ? Number(length[1]) : -1;
        this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        this.headerDone = true;
        this.buffer = this.buffer.subarray(end + 4);
      }
      let body: Buffer;
      if (this.chunked) {
        // Mamlaka's JSON answers carry a length; a chunked one is kept whole, framing included.
        let end = this.buffer.indexOf(CHUNKED_END);
        // The last chunk starts a line: "…\r\n0\r\n\r\n", not the tail of a size such as "10".
        while (end > 0 && this.buffer[end - 1] !== 0x0a) end = this.buffer.indexOf(CHUNKED_END, end + 1);
        if (end === -1) return;
        body = this.buffer.subarray(0, end);
        this.buffer = this.buffer.subarray(end + CHUNKED_END.length);
      } else {
        const length = Math.max(0, this.length);
        if (this.buffer.length < length) return;
        body = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
      }
      this.headerDone = false;
      const pending = this.pending;
      this.pending = undefined;
      this.busy = false;
      if (pending) this.onAnswer(this, this.status, body, pending.dueAt);
      if (this.buffer.length === 0) return;
    }
  }
}

const percentile = (sorted: Float64Array | number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const round1 = (ms: number) => Math.round(ms * 10) / 10;

interface Options {
  /** Requests per second, due at even intervals; undefined: closed loop on `connections`. */
  ratePerSec?: number;
  seconds: number;
  /** Closed loop: the connections; open loop: the most it opens (more requests wait in line). */
  connections: number;
  /** How long answers still in flight at the end are waited for, then counted as errors. */
  drainMs?: number;
}

/** Drives `target` for `seconds`, open-loop at `ratePerSec` or closed-loop on `connections`. */
export async function drive(target: LoadTarget, options: Options): Promise<LoadResult> {
  const { hostname, port } = new URL(target.url);
  const accept = target.accept ?? ((status: number) => status >= 200 && status < 300);
  const latencies: number[] = [];
  const sendDelays: number[] = [];
  const bySecond = new Map<number, number[]>();
  const rejected: Record<number, number> = {};
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  // Due times of requests not sent yet; `head` is the next one (no O(n) shift on a long line).
  const waiting: number[] = [];
  let head = 0;
  let inTime = 0;
  let opened = 0;
  let due = 0;
  let answered = 0;
  let errors = 0;
  let stopped = false;
  const started = performance.now();
  const endAt = started + options.seconds * 1000;

  const dispatch = () => {
    while (head < waiting.length && !stopped) {
      let connection = idle.pop();
      while (connection?.closed) connection = idle.pop();
      if (!connection) {
        if (all.size >= options.connections) return;
        connection = open();
      }
      const dueAt = waiting[head++]!;
      sendDelays.push(connection.send(target.request(connection.slot), dueAt) - dueAt);
    }
  };
  const free = (connection: Connection) => {
    if (options.ratePerSec === undefined) {
      // Closed loop: the next request is due now, on this same connection.
      if (performance.now() < endAt && !stopped) {
        due += 1;
        const now = performance.now();
        sendDelays.push(connection.send(target.request(connection.slot), now) - now);
      }
      return;
    }
    idle.push(connection);
    dispatch();
  };
  const open = (): Connection => {
    const socket = connect({ host: hostname, port: Number(port) });
    const connection = new Connection(
      socket,
      opened++,
      (c, status, body, dueAt) => {
        answered += 1;
        const now = performance.now();
        if (accept(status, body)) {
          latencies.push(now - dueAt);
          if (now <= endAt) inTime += 1;
          const second = Math.floor((now - started) / 1000);
          const bucket = bySecond.get(second) ?? [];
          bucket.push(now - dueAt);
          bySecond.set(second, bucket);
        } else {
          rejected[status] = (rejected[status] ?? 0) + 1;
        }
        free(c);
      },
      (c, dueAt) => {
        all.delete(c);
        if (dueAt !== undefined) {
          answered += 1;
          errors += 1;
        }
        if (!stopped) dispatch();
      },
    );
    all.add(connection);
    return connection;
  };

  if (options.ratePerSec === undefined) {
    for (let i = 0; i < options.connections; i++) {
      due += 1;
      const now = performance.now();
      open().send(target.request(i), now);
    }
  } else {
    const interval = 1000 / options.ratePerSec;
    const total = Math.floor(options.seconds * options.ratePerSec);
    // A 1 ms timer and a catch-up loop: every request due by now goes out, none early.
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (due < total && started + due * interval <= now) waiting.push(started + due++ * interval);
        dispatch();
        if (due >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, endAt - performance.now())));
  const drainUntil = performance.now() + (options.drainMs ?? 10_000);
  while (answered < due && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  stopped = true;
  errors += due - answered;
  for (const connection of all) connection.close();

  const sorted = Float64Array.from(latencies).sort();
  const delays = Float64Array.from(sendDelays).sort();
  return {
    seconds: options.seconds,
    due,
    succeeded: latencies.length,
    rejected,
    errors,
    // Closed loop: what was done within the seconds; open loop: the rate the successes kept.
    perSec: (options.ratePerSec === undefined ? inTime : latencies.length) / options.seconds,
    p50Ms: round1(percentile(sorted, 50)),
    p99Ms: round1(percentile(sorted, 99)),
    maxMs: round1(sorted.length ? sorted[sorted.length - 1]! : 0),
    sendDelayP99Ms: round1(percentile(delays, 99)),
    p99BySecond: [...bySecond.entries()]
      .sort(([a], [b]) => a - b)
      .map(([second, values]) => [
        second,
        round1(
          percentile(
            values.sort((a, b) => a - b),
            99,
          ),
        ),
      ]),
  };
}
