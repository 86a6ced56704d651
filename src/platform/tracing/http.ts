import { context, type Span, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractContext, headerGetter, SpanKind, SpanStatusCode, tracer, tracingOn } from './tracing.js';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per HTTP request, continuing the caller's W3C `traceparent` when it sends
 * one; everything the request does (gRPC calls, SQL, events written) runs inside it. Added
 * only when tracing is on: with it off the requests pay nothing.
 */
export function installHttpTracing(app: FastifyInstance): void {
  if (!tracingOn) return;
  app.addHook('onRequest', (request, reply, done) => {
    const parent = extractContext(request.headers, headerGetter);
    const span = tracer().startSpan(
      `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.url.split('?')[0],
          'http.route': request.routeOptions.url ?? '',
          'mamlaka.request_id': request.id,
        },
      },
      parent,
    );
    spans.set(request, span);
    // The rest of the request (hooks, handler) runs in the span's context.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });
}
