/**
 * A queue between one producer and one consumer that hands over whatever has arrived, up to
 * `max` at a time: under no load a batch is the one message that came, under load it is as
 * many as came while the previous batch was handled. The producer is held back once `max`
 * wait, so the queue never grows without bound.
 */
export class MessageBatches<T> {
  private items: T[] = [];
  private ended = false;
  private arrived: (() => void) | undefined;
  private taken: (() => void) | undefined;

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
  }

  /** Adds an item; resolves once the queue has room for another. */
  async push(item: T): Promise<void> {
    if (this.ended) throw new Error('the queue has ended');
    this.items.push(item);
    this.signalArrival();
    while (this.items.length >= this.max && !this.ended)
      await new Promise<void>((resolve) => (this.taken = resolve));
  }

  /** No more items will come: take() returns what is left, then undefined. */
  end(): void {
    this.ended = true;
    this.signalArrival();
    this.signalTaken();
  }

  /** The next batch (oldest first), waiting for one; undefined once ended and empty. */
  async take(): Promise<T[] | undefined> {
    while (this.items.length === 0) {
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.arrived = resolve));
    }
    const batch = this.items.splice(0, this.max);
    this.signalTaken();
    return batch;
  }

  private signalArrival(): void {
    const arrived = this.arrived;
    this.arrived = undefined;
    arrived?.();
  }

  private signalTaken(): void {
    const taken = this.taken;
    this.taken = undefined;
    taken?.();
  }
}
