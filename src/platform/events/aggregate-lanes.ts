/**
 * Runs tasks side by side, except that tasks of one lane (one aggregate) run one after the
 * other in the order they were given: per-aggregate order with parallelism across
 * aggregates. `run` resolves once the task has started, waiting while `limit` tasks run,
 * so a producer feeding it is held back instead of queueing without bound.
 */
export class AggregateLanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  async run(lane: string, task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const previous = this.tails.get(lane) ?? Promise.resolve();
    // A task's failure is its own to report; it must not stop its lane.
    const current = previous.then(task).catch(() => {});
    this.tails.set(lane, current);
    this.running.add(current);
    void current.finally(() => {
      this.running.delete(current);
      if (this.tails.get(lane) === current) this.tails.delete(lane);
    });
  }

  /** Resolves once every task given so far has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
