/**
 * Gathers checkouts that arrive while the database is busy into groups committed together
 * (group commit, as high-volume ledgers batch their transfers). At most `slots` groups run
 * at once; a checkout that finds a slot free starts at once, alone, so an idle platform
 * never waits for company. The others queue, and the next free slot takes up to
 * `maxGroup` of them in arrival order: under load, each group is what arrived while the
 * previous ones ran.
 *
 * The wait is bounded by `maxWaitMs`, as a router drops from a queue that stopped
 * draining (CoDel): a checkout that would join a queue whose oldest member has already
 * waited that long is refused at once, and one that has waited that long when its turn
 * comes is refused then, not placed. Nothing was written for either, so its buyer may
 * simply try again; answering long after the client gave up would invite a retry that buys
 * twice.
 */
export interface CheckoutQueueOptions<T> {
  slots: number;
  maxGroup: number;
  maxWaitMs: number;
  /** Answers a checkout the queue will not place; `queuedMs` is how long the queue takes now. */
  refuse(member: T, queuedMs: number): void;
  /** Told each change in how many wait (+1 queued, −n taken or refused), for a gauge. */
  waitingChanged?(by: number): void;
  /** Milliseconds from any fixed origin; injectable so tests control time. */
  now?: () => number;
}

export class CheckoutQueue<T> {
  #waiting: { member: T; since: number }[] = [];
  #running = 0;
  readonly #now: () => number;

  constructor(
    private readonly run: (group: T[]) => Promise<void>,
    private readonly options: CheckoutQueueOptions<T>,
  ) {
    if (options.slots < 1 || options.maxGroup < 1) throw new RangeError('slots and maxGroup must be ≥ 1');
    if (!(options.maxWaitMs > 0)) throw new RangeError('maxWaitMs must be above 0');
    this.#now = options.now ?? (() => performance.now());
  }

  /** Queues one checkout; `run` answers it, whatever its group's fate, or `refuse` does. */
  submit(member: T): void {
    const now = this.#now();
    const queuedMs = this.#oldestWait(now);
    if (queuedMs >= this.options.maxWaitMs) {
      this.options.refuse(member, queuedMs);
      return;
    }
    this.#waiting.push({ member, since: now });
    this.options.waitingChanged?.(1);
    this.#next();
  }

  /** Checkouts waiting for a slot, for the gauges and the tests. */
  get waiting(): number {
    return this.#waiting.length;
  }

  #oldestWait(now: number): number {
    const oldest = this.#waiting[0];
    return oldest ? now - oldest.since : 0;
  }

  #next(): void {
    while (this.#running < this.options.slots && this.#waiting.length > 0) {
      const now = this.#now();
      while (this.#waiting.length > 0 && this.#oldestWait(now) >= this.options.maxWaitMs) {
        const stale = this.#waiting.shift()!;
        this.options.waitingChanged?.(-1);
        this.options.refuse(stale.member, now - stale.since);
      }
      if (this.#waiting.length === 0) return;
      const group = this.#waiting.splice(0, this.options.maxGroup).map(({ member }) => member);
      this.options.waitingChanged?.(-group.length);
      this.#running++;
      // `run` answers its members itself, failure included: a rejection only frees the slot.
      void this.run(group)
        .catch(() => undefined)
        .finally(() => {
          this.#running--;
          this.#next();
        });
    }
  }
}
