import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DurationSeries } from './metrics.series.js';

const LABELS = ['method', 'route', 'status_code'] as const;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const HISTOGRAM = {
  name: 'spec_request_duration_seconds',
  help: 'Latency, by method, route and status "code".',
};
const COUNTER = { name: 'spec_requests_total', help: 'Requests answered.' };

/** The same observations through prom-client's own Histogram and Counter, and through DurationSeries. */
function pair() {
  const library = new Registry();
  const counter = new Counter({ ...COUNTER, labelNames: LABELS, registers: [library] });
  const histogram = new Histogram({
    ...HISTOGRAM,
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [library],
  });
  const ours = new Registry();
  const series = new DurationSeries(LABELS, BUCKETS);
  series.register(ours, { counter: COUNTER, histogram: HISTOGRAM });
  const observe = (method: string, route: string, status: number, seconds: number) => {
    const labels = { method, route, status_code: String(status) };
    histogram.observe(labels, seconds);
    counter.inc(labels);
    series.observe(method, route, status, seconds);
  };
  return { library, ours, series, observe };
}

describe('DurationSeries', () => {
  it('exposes exactly what prom-client’s Histogram and Counter expose for the same observations', async () => {
    const { library, ours, observe } = pair();
    const routes = ['/products/:id', '/users/me', '/payments', 'unmatched', '/a "quoted"\\route\n'];
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    // Every bound exactly, just above and below it, zero, and past the last bound.
    const durations = [0, ...BUCKETS.flatMap((b) => [b, b * 0.999, b * 1.001]), 11, 1e6];
    for (let i = 0; i < 3000; i++) {
      const seconds = i < durations.length ? durations[i]! : random() ** 4 * 12;
      observe(
        random() < 0.8 ? 'GET' : 'POST',
        routes[Math.floor(random() * routes.length)]!,
        [200, 404, 500][i % 3]!,
        seconds,
      );
    }
    const text = await ours.metrics();
    expect(text).toBe(await library.metrics());
    expect(text).toContain(
      'spec_request_duration_seconds_bucket{le="+Inf",method="GET",route="/users/me",status_code="200"}',
    );
  });

  it('answers the registry’s JSON with the same samples as prom-client', async () => {
    const { library, ours, observe } = pair();
    observe('GET', '/x', 200, 0.003);
    observe('GET', '/x', 200, 0.3);
    observe('DELETE', '/y/:id', 204, 20);
    const samples = async (registry: Registry) =>
      (await registry.getMetricsAsJSON()).map(({ name, type, values }) => ({
        name,
        type,
        values: values.map(
          ({ labels, value, metricName }: { labels: object; value: number; metricName?: string }) => ({
            labels,
            value,
            metricName: metricName ?? name,
          }),
        ),
      }));
    expect(await samples(ours)).toEqual(await samples(library));
  });

  it('shows nothing before the first observation and after a reset of the registry', async () => {
    const { library, ours, observe } = pair();
    expect(await ours.metrics()).toBe(await library.metrics());
    observe('GET', '/x', 200, 0.1);
    ours.resetMetrics();
    library.resetMetrics();
    expect(await ours.metrics()).toBe(await library.metrics());
    expect(await ours.metrics()).not.toContain('status_code');
  });

  it('refuses buckets a histogram cannot have', () => {
    expect(() => new DurationSeries(LABELS, [])).toThrow(/buckets/);
    expect(() => new DurationSeries(LABELS, [0.1, 0.1])).toThrow(/buckets/);
    expect(() => new DurationSeries(LABELS, [0.1, Number.POSITIVE_INFINITY])).toThrow(/buckets/);
  });
});
