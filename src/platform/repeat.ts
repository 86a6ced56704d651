import type { Logger } from 'pino';

/**
 * Stops a background job: no round starts after it is called, and it resolves once the
 * round in flight, if any, has finished. A shutdown awaits it before closing what the
 * rounds use (the database, the mailer), so a mail sent is also recorded as sent.
 */
export type StopJob = () => Promise<void>;

/** Stops every job at once and resolves when all have stopped. */
export const stopAll =
  (stops: readonly StopJob[]): StopJob =>
  async () => {
    await Promise.all(stops.map((stop) => stop()));
  };

/**
 * Runs `batch` until a queue is drained (it returns false: the batch was not full), the job
 * is stopping, or `busy()` says that requests are waiting. Background sending gives way to
 * requests that way: at a peak a round sends one batch, and the rest waits for the next
 * round, when the peak may be over. Nothing is dropped, only sent later.
 */
export async function drainQueue(
  batch: () => Promise<boolean>,
  stopping: AbortSignal,
  busy: () => boolean = () => false,
): Promise<void> {
  while (!stopping.aborted && (await batch()) && !busy());
}

/**
 * Runs `work` every `intervalMs`, never two at once (a slow round makes the next ones wait
 * rather than pile up), logging a failure and carrying on. The timer does not keep the
 * process alive. `stopping` is aborted when the job is stopped: a round that loops until
 * a queue is drained checks it between batches, so a shutdown waits for one batch at most.
 */
export function repeatEvery(
  intervalMs: number,
  work: (stopping: AbortSignal) => Promise<unknown>,
  logger: Logger,
  failure: string,
): StopJob {
  const stopping = new AbortController();
  let round: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (round) return;
    round = work(stopping.signal)
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error }, failure),
      )
      .finally(() => {
        round = undefined;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    stopping.abort();
    await round;
  };
}
