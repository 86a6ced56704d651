import { unavailable } from '../../platform/errors.js';

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
}

export interface MidtransClientOptions {
  serverKey: string;
  snapUrl: string;
  apiUrl: string;
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
  }): Promise<SnapTransaction> {
    return this.call<SnapTransaction>(
      'POST',
      `${this.options.snapUrl}/snap/v1/transactions`,
      body,
      [200, 201],
    );
  }

  status(orderId: string): Promise<MidtransStatus> {
    return this.call<MidtransStatus>(
      'GET',
      `${this.options.apiUrl}/v2/${encodeURIComponent(orderId)}/status`,
    );
  }

  refund(orderId: string, body: { refund_key: string; amount: number; reason: string }) {
    return this.call<{ status_code: string }>(
      'POST',
      `${this.options.apiUrl}/v2/${encodeURIComponent(orderId)}/refund`,
      body,
    );
  }

  private async call<T>(method: string, url: string, body?: unknown, ok: number[] = [200]): Promise<T> {
    const attempts = this.options.attempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(url, {
          method,
          headers: {
            authorization: this.auth,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
          redirect: 'error',
        });
        const text = await response.text();
        if (ok.includes(response.status)) return JSON.parse(text) as T;
        lastError = new Error(`Midtrans answered ${response.status}: ${text.slice(0, 300)}`);
        if (response.status < 500) break;
      } catch (error) {
        lastError = error;
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
    throw Object.assign(unavailable('gateway_unavailable', 'the payment gateway is unavailable; try again'), {
      cause: lastError,
    });
  }
}
