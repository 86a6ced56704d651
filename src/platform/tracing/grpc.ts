import type { Metadata } from '@grpc/grpc-js';
import type { TextMapGetter } from '@opentelemetry/api';
import { extractContext, inSpan, SpanKind } from './tracing.js';

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const value = metadata.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  },
};

/** A server span for one RPC, continuing the trace whose `traceparent` the caller sent. */
export function traceCall<T>(method: string, metadata: Metadata, run: () => Promise<T>): Promise<T> {
  return inSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'rpc.system': 'grpc', 'rpc.method': method },
      parent: extractContext(metadata, metadataGetter),
    },
    run,
  );
}
