// The work requests leave behind them: outbox events not yet relayed and mails not yet sent,
// read from the server's own /metrics, so it works on PGlite (inside the server) as on
// PostgreSQL. A closed-loop peak runs ahead of that work (the mail sender gives way to the
// requests), so what a server sustains is its requests over the time until that work is done too.
import { metricValue, scrapeMetrics } from './event-loop-lag.js';

const POLL_MS = 250;
/** Two empty readings in a row: a relayed event's mail is written a moment after the relay. */
const EMPTY_READINGS = 2;

async function backlog(metricsUrl: string): Promise<{ outboxLagSeconds: number; mails: number }> {
  const text = await scrapeMetrics(metricsUrl);
  return {
    outboxLagSeconds: metricValue(text, 'mamlaka_outbox_lag_seconds'),
    mails: metricValue(text, 'mamlaka_mail_queue_depth'),
  };
}

/**
 * Waits until the outbox is relayed and the mail queue is empty, and returns the seconds it
 * took; throws after `limitSeconds`, since a backlog that never drains is a fault to report.
 */
export async function drainBackgroundWork(metricsUrl: string, limitSeconds = 300): Promise<number> {
  const started = performance.now();
  let emptySince: number | undefined;
  let empty = 0;
  for (;;) {
    const at = performance.now();
    const now = await backlog(metricsUrl);
    if (now.outboxLagSeconds === 0 && now.mails === 0) {
      emptySince ??= at;
      if (++empty >= EMPTY_READINGS) return (emptySince - started) / 1000;
    } else {
      emptySince = undefined;
      empty = 0;
    }
    if (at - started > limitSeconds * 1000)
      throw new Error(
        `the server's background work did not drain in ${limitSeconds} s ` +
          `(${now.mails} mails pending, oldest unrelayed event ${now.outboxLagSeconds} s old)`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A phase's requests per second spread over the phase and the drain after it: what the server sustains. */
export const sustainedPerSec = (perSec: number, seconds: number, drainSeconds: number): number =>
  (perSec * seconds) / (seconds + drainSeconds);
