interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Rows that many concurrent callers append, gathered into one statement (group commit): a
 * caller's promise settles once the statement holding its row has committed, so "written
 * before answering" still holds, while N callers at once cost one round trip and one commit
 * instead of N. Nothing waits for a timer: the rows of the requests read in one turn of the
 * event loop go together (the write starts once that turn's I/O is handled), and the rows
 * that arrive while a statement runs go together in the next. A failed statement is retried
 * row by row, so a bad row fails its own caller only.
 *
 * The queue is bounded by the callers waiting on it (each holds a request open); one
 * statement takes at most `maxBatch` rows.
 */
export class GroupCommit<T> {
  private pending: Waiting<T>[] = [];
  private writing = false;

  constructor(
    private readonly writeMany: (items: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.writing) return;
      this.writing = true;
      // After the requests already read from the sockets (the embedded database blocks the
      // event loop while it writes, so a write started at once would carry one row).
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.write(this.pending.splice(0, this.maxBatch));
    } finally {
      this.writing = false;
    }
  }

  private async write(batch: Waiting<T>[]): Promise<void> {
    try {
      await this.writeMany(batch.map((waiting) => waiting.item));
      for (const waiting of batch) waiting.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    for (const waiting of batch) {
      try {
        await this.writeMany([waiting.item]);
        waiting.resolve();
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}
