// The event-loop delay of a server under load, read from its own /metrics: prom-client's
// default series come from Node's monitorEventLoopDelay histogram, which prom-client resets
// at every scrape. So one scrape before a phase and one after give that phase's delays.

export interface EventLoopLag {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The histogram samples the loop every 10 ms (prom-client's default resolution) and
 * records the whole time between samples, so an idle loop reads 10 ms: taken off here.
 */
const RESOLUTION_MS = 10;

/** The value of a metric without labels (or its first labelled series) in a /metrics text. */
export function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  if (!match) throw new Error(`${name} is not in the server's /metrics`);
  return Number(match[1]);
}

/** The server's /metrics text. */
export async function scrapeMetrics(metricsUrl: string): Promise<string> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${metricsUrl}: ${response.status}`);
  return response.text();
}

/** Reads (and thereby resets) the event-loop delay since the previous scrape. */
export async function scrapeEventLoopLag(metricsUrl: string): Promise<EventLoopLag> {
  return eventLoopLagIn(await scrapeMetrics(metricsUrl));
}

/** The event-loop delay in one /metrics text (the delay since the scrape before it). */
export function eventLoopLagIn(text: string): EventLoopLag {
  const ms = (name: string) =>
    Math.max(0, Math.round((metricValue(text, name) * 1000 - RESOLUTION_MS) * 10) / 10);
  return {
    p50Ms: ms('nodejs_eventloop_lag_p50_seconds'),
    p99Ms: ms('nodejs_eventloop_lag_p99_seconds'),
    maxMs: ms('nodejs_eventloop_lag_max_seconds'),
  };
}
