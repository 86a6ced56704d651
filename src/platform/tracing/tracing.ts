import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import type { TracingSettings } from '../../config.tracing.js';

/**
 * Tracing by hand at a few choke points (HTTP edge, gRPC client and server, SQL, outbox,
 * outgoing webhooks and Midtrans calls) rather than by auto-instrumentation's require hooks.
 * Off unless an OTLP endpoint is configured: the SDK is then never loaded, and every choke
 * point costs one boolean check (`tracingOn`).
 */
export let tracingOn = false;

interface Running {
  users: number;
  provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  tracer: Tracer;
}
let running: Running | undefined;

/**
 * Starts the process's tracer provider (once per process; later callers share it). Returns
 * the function that releases this caller's share: the last one flushes and shuts down.
 */
export async function startTracing(
  settings: TracingSettings,
  defaultServiceName: string,
): Promise<() => Promise<void>> {
  if (!settings.endpoint) return async () => {};
  if (!running) {
    // Loaded only here: a process without an endpoint never pays for the SDK.
    const [{ NodeTracerProvider }, base, { OTLPTraceExporter }, { resourceFromAttributes }, core] =
      await Promise.all([
        import('@opentelemetry/sdk-trace-node'),
        import('@opentelemetry/sdk-trace-base'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/resources'),
        import('@opentelemetry/core'),
      ]);
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': settings.serviceName ?? defaultServiceName }),
      sampler: new base.ParentBasedSampler({ root: new base.TraceIdRatioBasedSampler(settings.sampleRatio) }),
      spanProcessors: [
        new base.BatchSpanProcessor(
          new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` }),
          { scheduledDelayMillis: 500 },
        ),
      ],
    });
    provider.register({ propagator: new core.W3CTraceContextPropagator() });
    running = { users: 0, provider, tracer: provider.getTracer('mamlaka') };
    tracingOn = true;
  }
  const current = running;
  current.users += 1;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    current.users -= 1;
    if (current.users > 0) return current.provider.forceFlush();
    tracingOn = false;
    running = undefined;
    await current.provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  };
}

/** The tracer of the running provider (only called with tracing on). */
export const tracer = (): Tracer => running?.tracer ?? trace.getTracer('mamlaka');

/** Sends the spans ended so far (tests and benchmarks wait for them). */
export const flushTraces = async (): Promise<void> => running?.provider.forceFlush();

/**
 * Runs `fn` in a new span, a child of the active one, ending it with `fn`'s outcome. With
 * tracing off this is just `fn()`.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; links?: Link[]; parent?: Context },
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracingOn) return fn(undefined);
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, options, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
}

/** The W3C `traceparent` of the active span, to send along (an outgoing request, an event). */
export function currentTraceparent(): string | undefined {
  if (!tracingOn) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Adds `traceparent` (and `tracestate`) of the active span to outgoing headers. */
export function withTraceHeaders(headers: Record<string, string>): Record<string, string> {
  if (!tracingOn) return headers;
  const carrier = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * The context a caller sent (W3C `traceparent`), read through `getter` from any carrier. From
 * the root, never the ambient context: a server span must not inherit whatever context the
 * connection's callbacks happened to carry (a previous request on a kept-alive socket).
 */
export function extractContext<Carrier>(carrier: Carrier, getter: TextMapGetter<Carrier>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier, getter);
}

/** The context a stored `traceparent` names, to continue its trace (none when tracing is off). */
export function contextFrom(traceparent: string | null | undefined): Context | undefined {
  if (!tracingOn || !traceparent) return undefined;
  return propagation.extract(ROOT_CONTEXT, { traceparent }, headerGetter);
}

/** A link to the span a stored `traceparent` names (the request that wrote an event). */
export function linkTo(traceparent: string | undefined): Link[] {
  if (!traceparent) return [];
  const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }, headerGetter));
  return spanContext ? [{ context: spanContext }] : [];
}

/** The trace and span ids of the active span, for log lines. */
export function logIds(): { trace_id: string; span_id: string } | undefined {
  if (!tracingOn) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : undefined;
}

/** Reads a header from a plain object of headers (Node's IncomingHttpHeaders and the like). */
export const headerGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

export { SpanKind, SpanStatusCode };
