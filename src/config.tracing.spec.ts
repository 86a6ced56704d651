import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.env.js';
import { tracingSettings } from './config.tracing.js';

describe('tracing settings', () => {
  it('are off with no OTLP endpoint, and record every trace by default', () => {
    expect(tracingSettings({})).toEqual({ endpoint: undefined, serviceName: undefined, sampleRatio: 1 });
  });

  it('read the endpoint, service name and sampling ratio', () => {
    expect(
      tracingSettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SERVICE_NAME: 'checkout-gw',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toEqual({ endpoint: 'http://collector:4318', serviceName: 'checkout-gw', sampleRatio: 0.25 });
  });

  it('refuse a ratio outside 0..1 and an endpoint that is not http(s)', () => {
    expect(() => tracingSettings({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(ConfigError);
    expect(() => tracingSettings({ OTEL_TRACES_SAMPLER_ARG: 'half' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
