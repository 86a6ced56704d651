/**
 * At most `concurrency` tasks run at once; up to `queueLimit` more wait, first come first
 * served, without blocking anything (a waiting call is a pending promise), and no longer
 * than `maxWaitMs`. A call beyond that is refused at once with the error `refusal` makes, which is given how long the
 * queue would take to drain, so the caller can answer with a Retry-After.
 *
 * Written by hand because the libraries that bound concurrency (p-limit, p-queue) queue
 * without limit, and an unbounded queue in front of a CPU-bound step only turns overload
 * into timeouts for everyone.
 */
export interface BoundedConcurrencyOptions {
  concurrency: number;
  queueLimit: number;
  refusal: (estimatedWaitMs: number) => Error;
  /**
   * Refuses a call that would wait longer than this for a slot, going by the recent tasks'
   * average (estimatedWaitMs), even while the queue has room: when tasks slow down (the
   * machine is busy), a full queue would hold its callers far longer than they wait for an
   * answer. A call that finds no one waiting is always queued, so tasks keep running. One
   * that has waited longer than this when its turn comes is refused then, not run.
   */
  maxWaitMs?: number;
  /** Milliseconds from any fixed origin; injectable so tests control time. */
  now?: () => number;
}

/** How much each finished task moves the average duration: recent ones weigh most. */
const AVERAGE_WEIGHT = 0.2;

export class BoundedConcurrency {
  readonly concurrency: number;
  readonly queueLimit: number;
  readonly maxWaitMs: number;
  #running = 0;
  readonly #waiting: { resolve: (granted: boolean) => void; since: number }[] = [];
  #averageMs: number | undefined;
  readonly #refusal: (estimatedWaitMs: number) => Error;
  readonly #now: () => number;

  constructor(options: BoundedConcurrencyOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new RangeError('concurrency must be a whole number of at least 1');
    if (!Number.isInteger(options.queueLimit) || options.queueLimit < 0)
      throw new RangeError('queueLimit must be a whole number of at least 0');
    this.concurrency = options.concurrency;
    this.queueLimit = options.queueLimit;
    this.maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    this.#refusal = options.refusal;
    this.#now = options.now ?? (() => performance.now());
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** How long a call arriving now would wait, from the recent tasks' average duration. */
  estimatedWaitMs(): number {
    if (this.#averageMs === undefined) return 0;
    return Math.ceil(((this.#waiting.length + 1) * this.#averageMs) / this.concurrency);
  }

  /** Runs `task` in a free slot, after the calls queued before it; rejects with the refusal when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.concurrency) {
      this.#running += 1;
    } else {
      const waitMs = this.estimatedWaitMs();
      if (this.#waiting.length >= this.queueLimit || (this.#waiting.length > 0 && waitMs > this.maxWaitMs))
        throw this.#refusal(waitMs);
      // The finishing task hands its slot over (see #release), so `running` already counts this one.
      const granted = await new Promise<boolean>((resolve) =>
        this.#waiting.push({ resolve, since: this.#now() }),
      );
      if (!granted) throw this.#refusal(this.estimatedWaitMs());
    }
    const started = this.#now();
    try {
      return await task();
    } finally {
      const ms = this.#now() - started;
      this.#averageMs =
        this.#averageMs === undefined ? ms : this.#averageMs + AVERAGE_WEIGHT * (ms - this.#averageMs);
      this.#release();
    }
  }

  // Handing the slot straight to the next waiter keeps a newcomer from overtaking the queue.
  // A waiter that has waited longer than maxWaitMs is refused instead (tasks slowed down
  // after it was let in): its caller has waited long enough, and running it would only make
  // everyone behind it wait longer still.
  #release(): void {
    for (let next = this.#waiting.shift(); next; next = this.#waiting.shift()) {
      if (this.#now() - next.since <= this.maxWaitMs) return next.resolve(true);
      next.resolve(false);
    }
    this.#running -= 1;
  }
}
