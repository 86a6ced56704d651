import http from 'node:http';
import https from 'node:https';
import type { RequestDetails } from 'web-push';
import { checkWebhookUrl, guardedLookup } from '../../platform/http/url-guard.js';
import { parseRetryAfter, type SendOutcome } from './push.delivery-rules.js';
import type { PushUrgency } from './push.tables.js';
import type { VapidKeys } from './push.vapid.js';

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushSender {
  (
    target: PushTarget,
    payload: string,
    options: { urgency: PushUrgency; ttlSeconds: number },
  ): Promise<SendOutcome & { durationMs: number }>;
}

/**
 * Sends one Web Push message. web-push does what the protocol needs (aes128gcm encryption
 * to the browser's keys, RFC 8291, and the VAPID token, RFC 8292) through
 * `generateRequestDetails`; the request itself is made here rather than by
 * `sendNotification`, which always speaks TLS (so it cannot reach the loopback endpoint a
 * sandbox uses), reads the whole response into memory, and offers no place to vet the
 * address it connects to. An endpoint is a URL a user gave us, so, like a webhook, it
 * must not lead into the platform's own network: the address is checked inside the
 * connection. The response body is never read; only the status matters.
 */
export function createPushSender(options: {
  vapid: VapidKeys & { subject: string };
  allowList: readonly string[];
  timeoutMs: number;
}): PushSender {
  const lookup = guardedLookup(options.allowList);
  const vapidDetails = {
    subject: options.vapid.subject,
    publicKey: options.vapid.publicKey,
    privateKey: options.vapid.privateKey,
  };
  return async (target, payload, { urgency, ttlSeconds }) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const check = await checkWebhookUrl(target.endpoint, options.allowList);
    if (!check.ok) return { statusCode: null, error: check.message, permanent: true, durationMs: elapsed() };
    let details: RequestDetails;
    // Loaded on the first push, not at start-up: a server nobody subscribed to never needs it.
    const { default: webpush } = await import('web-push');
    try {
      details = webpush.generateRequestDetails(target, payload, {
        vapidDetails,
        TTL: ttlSeconds,
        urgency,
        contentEncoding: 'aes128gcm',
      });
    } catch (error) {
      // Keys the browser gave that cannot be encrypted to: no retry will change that.
      const message = `cannot encrypt: ${(error as Error).message}`.slice(0, 500);
      return { statusCode: null, error: message, permanent: true, durationMs: elapsed() };
    }
    const client = check.url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: elapsed() });
      };
      const request = client.request(
        check.url,
        {
          method: 'POST',
          headers: details.headers as unknown as http.OutgoingHttpHeaders,
          // No pooled sockets: each push connects (and is vetted) afresh.
          agent: false,
          lookup: lookup as never,
        },
        (response) => {
          const retryAfter = response.headers['retry-after'];
          finish({
            statusCode: response.statusCode ?? null,
            error: null,
            retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
          });
          response.destroy();
        },
      );
      const timer = setTimeout(() => {
        finish({ statusCode: null, error: `timed out after ${options.timeoutMs} ms` });
        request.destroy();
      }, options.timeoutMs);
      request.on('error', (error) => finish({ statusCode: null, error: error.message.slice(0, 500) }));
      request.end(details.body ?? undefined);
    });
  };
}
