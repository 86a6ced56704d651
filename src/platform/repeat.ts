import type { Logger } from 'pino';

/**
 * Runs `work` every `intervalMs`, never two at once (a slow round makes the next ones wait
 * rather than pile up), logging a failure and carrying on. The timer does not keep the
 * process alive. Returns the function that stops it.
 */
export function repeatEvery(
  intervalMs: number,
  work: () => Promise<unknown>,
  logger: Logger,
  failure: string,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch((error: unknown) => logger.error({ err: error }, failure))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
