import { unavailable } from '../../platform/errors.js';
import { withTraceHeaders } from '../../platform/tracing/tracing.js';
import { timeMidtrans } from '../../platform/metrics/metrics.registry.js';

export interface SnapTransaction {
  token: string;
  redirect_url: string;
}

export interface MidtransStatus {
  status_code: string;
  order_id: string;
  transaction_status: string;
  fraud_status?: string;
  gross_amount: string;
  currency?: string;
  /** What has been refunded in all, and each refund by its key (refunded transactions only). */
  refund_amount?: string;
  refunds?: { refund_key?: string; refund_amount?: string }[];
}

/** Midtrans's answer to a refund request: done, refused for good, or not known. */
export type RefundAnswer =
  | { kind: 'approved' }
  | { kind: 'refused'; statusCode: string; message: string }
  | { kind: 'unknown'; message: string };

export interface MidtransClientOptions {
  serverKey: string;
  /**
   * The Snap and Core API bases, or functions giving them at each call: the bundled sandbox
   * served by this very server has an address only once the server listens.
   */
  snapUrl: string | (() => string);
  apiUrl: string | (() => string);
  timeoutMs?: number;
  attempts?: number;
}

/**
 * Midtrans's Snap and Core APIs: Basic auth with the server key and an empty password,
 * a timeout on every call and a few retries on network errors and 5xx. Creating a Snap
 * transaction is safe to retry: Midtrans refuses a second transaction for the same order id.
 */
export class MidtransClient {
  private readonly auth: string;

  constructor(private readonly options: MidtransClientOptions) {
    this.auth = `Basic ${Buffer.from(`${options.serverKey}:`).toString('base64')}`;
  }

  createSnap(body: {
    transaction_details: { order_id: string; gross_amount: number };
    customer_details?: Record<string, unknown>;
    item_details?: { id: string; name: string; price: number; quantity: number }[];
    /** Where Snap sends the customer back after paying (`?order_id=…&transaction_status=…` added). */
    callbacks?: { finish?: string };
  }): Promise<SnapTransaction> {
    return timeMidtrans('create_snap', () =>
      this.call<SnapTransaction>('POST', this.options.snapUrl, '/snap/v1/transactions', body, [200, 201]),
    );
  }

  status(orderId: string): Promise<MidtransStatus> {
    return timeMidtrans('status', () =>
      this.call<MidtransStatus>('GET', this.options.apiUrl, `/v2/${encodeURIComponent(orderId)}/status`),
    );
  }

  /**
   * Asks Midtrans to refund. Retried on network errors and 5xx with the same refund_key,
   * which Midtrans executes at most once. Never throws for Midtrans's own answer: a
   * refusal comes back as `refused`, a timeout or an unanswered retry as `unknown`.
   */
  refund(
    orderId: string,
    body: { refund_key: string; amount: number; reason: string },
  ): Promise<RefundAnswer> {
    // A refusal is Midtrans answering; only an unanswered refund counts as an error.
    return timeMidtrans(
      'refund',
      () => this.askRefund(orderId, body),
      (answer) => answer.kind === 'unknown',
    );
  }

  private async askRefund(
    orderId: string,
    body: { refund_key: string; amount: number; reason: string },
  ): Promise<RefundAnswer> {
    const path = `/v2/${encodeURIComponent(orderId)}/refund`;
    const attempts = this.options.attempts ?? 3;
    let message = 'no answer';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const { status, text } = await this.send('POST', `${baseOf(this.options.apiUrl)}${path}`, body);
        const answer = refundAnswerOf(status, text);
        if (answer.kind !== 'unknown') return answer;
        message = answer.message;
      } catch (error) {
        message = error instanceof Error ? error.message : String(error);
      }
      if (attempt < attempts) await pause(attempt);
    }
    return { kind: 'unknown', message };
  }

  private async call<T>(
    method: string,
    base: MidtransClientOptions['apiUrl'],
    path: string,
    body?: unknown,
    ok: number[] = [200],
  ): Promise<T> {
    const attempts = this.options.attempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const { status, text } = await this.send(method, `${baseOf(base)}${path}`, body);
        if (ok.includes(status)) return JSON.parse(text) as T;
        lastError = new Error(`Midtrans answered ${status}: ${text.slice(0, 300)}`);
        if (status < 500) break;
      } catch (error) {
        lastError = error;
      }
      if (attempt < attempts) await pause(attempt);
    }
    throw Object.assign(unavailable('gateway_unavailable', 'the payment gateway is unavailable; try again'), {
      cause: lastError,
    });
  }

  private async send(method: string, url: string, body?: unknown): Promise<{ status: number; text: string }> {
    const response = await fetch(url, {
      method,
      // traceparent: the call belongs to the request's trace (Midtrans may ignore it).
      headers: withTraceHeaders({
        authorization: this.auth,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      redirect: 'error',
    });
    return { status: response.status, text: await response.text() };
  }
}

const baseOf = (url: string | (() => string)): string => (typeof url === 'function' ? url() : url);

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));

/**
 * Midtrans answers a refund with HTTP 200 and its own `status_code` in the body (the
 * sandbox also uses the HTTP status): 200 is approved, a 4xx a refusal that will not change
 * on retry, anything else (5xx, an unreadable body) unknown.
 */
export function refundAnswerOf(httpStatus: number, text: string): RefundAnswer {
  let body: { status_code?: unknown; status_message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // an unreadable body says nothing about whether the refund happened
  }
  // Without a status_code in the body only an HTTP error status says anything.
  const code =
    typeof body.status_code === 'string'
      ? body.status_code
      : httpStatus === 200
        ? 'none'
        : String(httpStatus);
  const message = typeof body.status_message === 'string' ? body.status_message : text.slice(0, 300);
  if (httpStatus === 200 && code === '200') return { kind: 'approved' };
  if (/^4\d\d$/.test(code) && code !== '429' && httpStatus < 500)
    return { kind: 'refused', statusCode: code, message };
  return { kind: 'unknown', message: `Midtrans answered ${httpStatus}/${code}: ${message}` };
}
