import { ConfigError, type Env, read, url } from './config.env.js';

/** OpenTelemetry tracing: off (no SDK loaded) unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
export interface TracingSettings {
  /** The OTLP/HTTP collector base URL (`/v1/traces` is appended), e.g. http://otel-collector:4318. */
  endpoint: string | undefined;
  /** `service.name` of this process's spans; absent: `mamlaka-<role>`. */
  serviceName: string | undefined;
  /** The share of new traces recorded (0..1); a trace continued from a caller follows the caller's choice. */
  sampleRatio: number;
}

export function tracingSettings(env: Env): TracingSettings {
  const ratioText = read(env, 'OTEL_TRACES_SAMPLER_ARG');
  const sampleRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1)
    throw new ConfigError('OTEL_TRACES_SAMPLER_ARG', 'must be a number between 0 and 1');
  return {
    endpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
    serviceName: read(env, 'OTEL_SERVICE_NAME'),
    sampleRatio,
  };
}
