/**
 * Gathers checkouts that arrive while the database is busy into groups committed together
 * (group commit, as high-volume ledgers batch their transfers). At most `slots` groups run
 * at once; a checkout that finds a slot free starts at once, alone, so an idle platform
 * never waits for company. The others queue, and the next free slot takes up to
 * `maxGroup` of them in arrival order: under load, each group is what arrived while the
 * previous ones ran.
 */
export class CheckoutQueue<T> {
  #waiting: T[] = [];
  #running = 0;

  constructor(
    private readonly run: (group: T[]) => Promise<void>,
    private readonly options: { slots: number; maxGroup: number },
  ) {
    if (options.slots < 1 || options.maxGroup < 1) throw new RangeError('slots and maxGroup must be ≥ 1');
  }

  /** Queues one checkout; `run` answers it, whatever its group's fate. */
  submit(member: T): void {
    this.#waiting.push(member);
    this.#next();
  }

  /** Checkouts waiting for a slot, for the gauges and the tests. */
  get waiting(): number {
    return this.#waiting.length;
  }

  #next(): void {
    while (this.#running < this.options.slots && this.#waiting.length > 0) {
      const group = this.#waiting.splice(0, this.options.maxGroup);
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
