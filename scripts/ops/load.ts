// The mixed load of the soak and chaos runs: product reads and listings, wallet checkouts
// and refunds, sent through the gateways in turn. Every checkout carries an Idempotency-Key
// and is retried on the other gateway when a connection dies, as a careful client would;
// what the server acknowledged is remembered so the invariants can be checked afterwards.
import { randomUUID } from 'node:crypto';
import type { Actor, Cast } from './stack.js';
import type { Sample } from './stats.js';

export type Operation = 'read' | 'list' | 'checkout' | 'refund';

/** Shares of the mix, in percent. Webhooks are not sent: they are the events these cause. */
export const MIX: Record<Operation, number> = { read: 55, list: 15, checkout: 25, refund: 5 };

/** Above this many requests in flight the open-loop driver drops a tick instead of queueing. */
const MAX_IN_FLIGHT = 256;
const REQUEST_TIMEOUT_MS = 15_000;
const RETRIES = 6;

export interface Acknowledged {
  paymentId: string;
  productId: string;
  amount: string;
}

export interface LoadState {
  samples: Sample[];
  acknowledged: Map<string, Acknowledged>;
  /** Payments a refund was acknowledged for (201 or 202). */
  refunded: Set<string>;
  /** First answers that were not what the operation should get, for the report. */
  unexpected: string[];
  /** Every failure by its kind (operation, status, code), so a report names all of them. */
  errorKinds: Map<string, number>;
  /** Ticks skipped because MAX_IN_FLIGHT requests were waiting. */
  dropped: number;
  inFlight: number;
  startedAt: number;
}

export const newLoadState = (): LoadState => ({
  samples: [],
  acknowledged: new Map(),
  refunded: new Set(),
  unexpected: [],
  errorKinds: new Map(),
  dropped: 0,
  inFlight: 0,
  startedAt: Date.now(),
});

interface Answer {
  status: number;
  /** The request was refused (401) again with a token from a new sign-in. */
  afterSignIn?: boolean;
  /** A refusal's Retry-After, in seconds, when it named one. */
  retryAfterSeconds?: number;
  body: { meta?: { code?: string }; results?: Record<string, unknown> };
}

/** An answer as the report names its kind: status, error code, and whether it followed a sign-in. */
const describe = (answer: Answer, fallback = '') =>
  `${answer.status} ${answer.body.meta?.code ?? fallback}${answer.afterSignIn ? ' (after signing in again)' : ''}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LoadDriver {
  private next = 0;
  /** One sign-in at a time per account, however many requests found its token expired. */
  private readonly renewals = new Map<Actor, Promise<void>>();
  constructor(
    private readonly gateways: () => string[],
    private readonly cast: Cast,
    readonly state: LoadState,
  ) {}

  /** One request; a dropped connection is retried on the next gateway with the same key. */
  private async send(
    method: string,
    path: string,
    actor?: Actor,
    body?: unknown,
    key?: string,
  ): Promise<Answer> {
    const sentWith = actor?.token;
    const answer = await this.sendOnce(method, path, sentWith, body, key);
    // Access tokens live 15 minutes: a client signs in again (once) and repeats the request,
    // as the web app does with its refresh token.
    if (answer.status !== 401 || !actor) return answer;
    await this.renew(actor, sentWith!);
    const again = await this.sendOnce(method, path, actor.token, body, key);
    // Told apart in the report: a token refused right after signing in is the server's fault.
    return again.status === 401 ? { ...again, afterSignIn: true } : again;
  }

  private renew(actor: Actor, expired: string): Promise<void> {
    if (actor.token !== expired) return Promise.resolve();
    let renewal = this.renewals.get(actor);
    if (!renewal) {
      renewal = this.signIn(actor).finally(() => this.renewals.delete(actor));
      this.renewals.set(actor, renewal);
    }
    return renewal;
  }

  /**
   * Signs the account in again. When every account's token expires at once, the server's
   * bounded password hashing refuses the excess with 503 `password_hashing_busy` and a
   * Retry-After, which sendOnce waits out before it tries again.
   */
  private async signIn(actor: Actor): Promise<void> {
    const credentials = { email: actor.email, password: actor.password };
    const answer = await this.sendOnce('POST', '/users/login', undefined, credentials);
    if (answer.status !== 200) throw new Error(`POST /users/login: ${describe(answer)}`);
    actor.token = String(answer.body.results?.token);
  }

  private async sendOnce(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    key?: string,
  ): Promise<Answer> {
    let lastError: unknown;
    // Each retry goes to the next gateway after the one that failed, not wherever a shared
    // counter points, so a dead gateway is never tried twice in a row.
    const first = this.next++;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const urls = this.gateways();
      const base = urls[(first + attempt) % urls.length]!;
      try {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(key ? { 'idempotency-key': key } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
        const answer: Answer = {
          status: response.status,
          body: text ? (JSON.parse(text) as Answer['body']) : {},
          ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
        };
        // A gateway whose service just died answers 503/502; a keyed or read request can go again.
        // A refusal that names when to come back (a Retry-After: password hashing or checkouts
        // busy) is waited out, plus up to a second so the refused do not all return together.
        if ((response.status === 502 || response.status === 503) && attempt < RETRIES - 1) {
          const { retryAfterSeconds } = answer;
          await sleep(
            retryAfterSeconds === undefined
              ? 100 * (attempt + 1)
              : retryAfterSeconds * 1000 + Math.random() * 1000,
          );
          continue;
        }
        return answer;
      } catch (error) {
        lastError = error;
        await sleep(50 * (attempt + 1));
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(Math.random() * items.length)]!;
  }

  private chooseOperation(): Operation {
    let roll = Math.random() * 100;
    for (const [operation, share] of Object.entries(MIX) as [Operation, number][]) {
      if (roll < share) return operation;
      roll -= share;
    }
    return 'read';
  }

  /** Runs one operation of the mix and records it. */
  async one(operation: Operation = this.chooseOperation()): Promise<void> {
    const started = Date.now();
    this.state.inFlight += 1;
    let ok = false;
    let note = '';
    try {
      ({ ok, note } = await this.run(operation));
    } catch (error) {
      note = `${operation}: ${(error as Error).message}`;
    } finally {
      this.state.inFlight -= 1;
    }
    if (!ok) {
      if (this.state.unexpected.length < 50) this.state.unexpected.push(note);
      this.state.errorKinds.set(note, (this.state.errorKinds.get(note) ?? 0) + 1);
    }
    this.state.samples.push({
      atMs: started - this.state.startedAt,
      latencyMs: Date.now() - started,
      ok,
      operation,
    });
  }

  private async run(operation: Operation): Promise<{ ok: boolean; note: string }> {
    const cast = this.cast;
    if (operation === 'read') {
      const answer = await this.send('GET', `/products/${this.pick(cast.productIds)}`);
      return { ok: answer.status === 200, note: `read ${answer.status} ${answer.body.meta?.code ?? ''}` };
    }
    if (operation === 'list') {
      const answer = await this.send('GET', '/products?limit=20');
      return { ok: answer.status === 200, note: `list ${answer.status} ${answer.body.meta?.code ?? ''}` };
    }
    if (operation === 'refund') {
      const candidates = [...this.state.acknowledged.keys()]
        .filter((id) => !this.state.refunded.has(id))
        .slice(-200);
      if (candidates.length === 0) return this.run('checkout');
      const paymentId = this.pick(candidates);
      // Marked before the call, so no other request refunds the same payment concurrently.
      this.state.refunded.add(paymentId);
      const answer = await this.send(
        'POST',
        `/payments/${paymentId}/refunds`,
        cast.seller,
        { reason: 'soak refund' },
        `refund-${paymentId}`,
      );
      const ok = answer.status === 201 || answer.status === 202;
      if (!ok) this.state.refunded.delete(paymentId);
      return { ok, note: `refund ${describe(answer)}` };
    }
    const buyer = this.pick(cast.buyers);
    const productId = this.pick(cast.productIds);
    const answer = await this.send(
      'POST',
      '/payments',
      buyer,
      { product_id: productId, quantity: 1 },
      `checkout-${randomUUID()}`,
    );
    const results = answer.body.results ?? {};
    const ok = answer.status === 201 && results.status === 'succeeded';
    if (ok)
      this.state.acknowledged.set(String(results.id), {
        paymentId: String(results.id),
        productId,
        amount: String(results.total_amount),
      });
    return { ok, note: `checkout ${describe(answer, String(results.status))}` };
  }

  /** Open loop: starts `perSecond` operations a second (spread evenly) until `until` says stop. */
  async openLoop(perSecond: () => number, until: () => boolean): Promise<void> {
    const running = new Set<Promise<void>>();
    let due = Date.now();
    while (!until()) {
      const gapMs = 1000 / Math.max(0.1, perSecond());
      due += gapMs;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.state.inFlight >= MAX_IN_FLIGHT) {
        this.state.dropped += 1;
        continue;
      }
      const request = this.one();
      running.add(request);
      void request.finally(() => running.delete(request));
    }
    await Promise.all(running);
  }

  /** Closed loop with `workers` callers for `seconds`: what the shape completes at most. */
  async peak(workers: number, seconds: number): Promise<number> {
    const from = this.state.samples.length;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (Date.now() < end) await this.one();
      }),
    );
    const done = this.state.samples.slice(from).filter((s) => s.ok).length;
    return done / seconds;
  }
}
