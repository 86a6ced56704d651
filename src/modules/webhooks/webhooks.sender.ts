import http from 'node:http';
import https from 'node:https';
import { checkWebhookUrl, guardedLookup, type Resolver } from '../../platform/http/url-guard.js';
import { withTraceHeaders } from '../../platform/tracing/tracing.js';

export interface SendResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface Sender {
  (url: string, body: string, headers: Record<string, string>): Promise<SendResult>;
}

/**
 * POSTs one webhook with node:http rather than fetch because it lets the address be
 * vetted inside the connection (`lookup`), which closes the gap between checking a host
 * and connecting to it. node:http never follows redirects, so a 3xx is just a status.
 * The response body is not read: only the status matters, and a slow or huge body must
 * not hold the worker.
 */
export function createSender(options: {
  allowList: readonly string[];
  timeoutMs: number;
  resolve?: Resolver;
}): Sender {
  const lookup = guardedLookup(options.allowList, options.resolve);
  return async (url, body, headers) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const check = await checkWebhookUrl(url, options.allowList, options.resolve);
    if (!check.ok) return { statusCode: null, error: check.message, durationMs: elapsed() };
    const client = check.url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: elapsed() });
      };
      const request = client.request(
        check.url,
        {
          method: 'POST',
          // traceparent: the receiver can continue the delivery's trace.
          headers: withTraceHeaders({ ...headers, 'content-length': Buffer.byteLength(body).toString() }),
          // No pooled sockets: each delivery connects (and is vetted) afresh.
          agent: false,
          lookup: lookup as never,
        },
        (response) => {
          finish({ statusCode: response.statusCode ?? null, error: null });
          response.destroy();
        },
      );
      const timer = setTimeout(() => {
        finish({ statusCode: null, error: `timed out after ${options.timeoutMs} ms` });
        request.destroy();
      }, options.timeoutMs);
      request.on('error', (error) => finish({ statusCode: null, error: error.message.slice(0, 500) }));
      request.end(body);
    });
  };
}
