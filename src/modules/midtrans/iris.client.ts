import { unavailable } from '../../platform/errors.js';
import { withTraceHeaders } from '../../platform/tracing/tracing.js';

export interface IrisClientOptions {
  /** The base up to `/api/v1` (e.g. https://app.sandbox.midtrans.com/iris), or a function giving it. */
  apiUrl: string | (() => string);
  /** Creates beneficiaries and payouts. */
  creatorKey: string;
  /** Approves payouts: a separate key, so one leaked key cannot both create and release money. */
  approverKey: string;
  timeoutMs?: number;
}

export interface IrisBeneficiary {
  name: string;
  account: string;
  bank: string;
  alias_name: string;
  email: string;
}

export interface IrisPayoutRequest {
  beneficiary_name: string;
  beneficiary_account: string;
  beneficiary_bank: string;
  beneficiary_email?: string;
  /** Rupiah as Iris writes them: `"10000.00"` (iris.rules.ts irisAmount). */
  amount: string;
  notes: string;
}

export interface IrisPayout {
  reference_no: string;
  status: string;
  amount?: string;
  error_code?: string;
  error_message?: string;
}

/** Iris answered and said no (4xx): retrying the same request would not change its mind. */
export class IrisRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`Iris refused the request (${status})`);
  }
}

const MAX_NOTES = 100;

/**
 * Midtrans Iris, the disbursement API: Basic auth with the API key as the user name, a
 * timeout on every call. Network errors and 5xx are `iris_unavailable` (503); a 4xx is an
 * IrisRefusal. Creating a payout carries an idempotency key, so a retry after a lost
 * answer does not send the money twice.
 */
export class IrisClient {
  constructor(private readonly options: IrisClientOptions) {}

  /** Registers where payouts may go; an alias already taken is not an error for the caller to act on. */
  async createBeneficiary(beneficiary: IrisBeneficiary): Promise<void> {
    try {
      await this.call('POST', '/api/v1/beneficiaries', this.options.creatorKey, beneficiary);
    } catch (error) {
      if (!(error instanceof IrisRefusal && isAliasTaken(error.body))) throw error;
    }
  }

  /** One payout, queued at Iris until approved. `idempotencyKey` makes a retried call the same payout. */
  async createPayout(payout: IrisPayoutRequest, idempotencyKey: string): Promise<IrisPayout> {
    const answer = await this.call<{ payouts?: IrisPayout[] }>(
      'POST',
      '/api/v1/payouts',
      this.options.creatorKey,
      { payouts: [{ ...payout, notes: payout.notes.slice(0, MAX_NOTES) }] },
      { 'x-idempotency-key': idempotencyKey },
    );
    const created = answer.payouts?.[0];
    if (!created || typeof created.reference_no !== 'string') {
      throw unavailable('iris_unavailable', 'Iris answered without a payout reference');
    }
    return created;
  }

  /** Releases queued payouts to the banks, with the approver's key. */
  async approve(referenceNos: readonly string[]): Promise<void> {
    await this.call('POST', '/api/v1/payouts/approve', this.options.approverKey, {
      reference_nos: referenceNos,
    });
  }

  retrievePayout(referenceNo: string): Promise<IrisPayout> {
    return this.call<IrisPayout>(
      'GET',
      `/api/v1/payouts/${encodeURIComponent(referenceNo)}`,
      this.options.creatorKey,
    );
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    key: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const base = typeof this.options.apiUrl === 'function' ? this.options.apiUrl() : this.options.apiUrl;
    let response: Response;
    try {
      response = await fetch(base.replace(/\/+$/, '') + path, {
        method,
        headers: withTraceHeaders({
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch {
      throw unavailable('iris_unavailable', 'Iris did not answer');
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.status >= 500) throw unavailable('iris_unavailable', `Iris answered ${response.status}`);
    if (response.status >= 400) throw new IrisRefusal(response.status, parsed);
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { raw: text.slice(0, 200) };
  }
}

const isAliasTaken = (body: unknown): boolean =>
  JSON.stringify(body ?? '')
    .toLowerCase()
    .includes('alias_name has already been taken');
