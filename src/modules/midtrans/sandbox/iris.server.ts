import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { irisAmount, irisSignature, parseIrisAmount } from '../iris.rules.js';
import { type IrisSandboxPayout, type IrisSandboxStatus, IrisStore } from './iris.store.js';

export interface IrisSandboxOptions {
  creatorKey: string;
  approverKey: string;
  /** Signs notifications (`Iris-Signature`). */
  merchantKey: string;
  /** Where notifications go; none are sent until there is one. */
  notificationUrl?: string;
  logger?: Logger;
}

/** Test hooks and wiring of the Iris emulation. */
export interface IrisSandbox {
  /** Where notifications go from now on (a server whose address is known once it listens). */
  connect(notificationUrl: string): void;
  payout(referenceNo: string): IrisSandboxPayout | undefined;
  payouts(): readonly IrisSandboxPayout[];
  /** Delivers a notification of the payout's current status (or `status`), e.g. a duplicate. */
  sendNotification(referenceNo: string, status?: IrisSandboxStatus): Promise<void>;
  /** Changes a payout's status as the bank would; notifies unless `notify` is false. */
  settle(referenceNo: string, status: IrisSandboxStatus, options?: { notify?: boolean }): Promise<void>;
  /** From now on approvals do not reach the bank (payouts stay `approved`) until set back. */
  holdApprovals(hold: boolean): void;
  /** Resolves when every delivery started so far has ended. */
  idle(): Promise<void>;
  notifications: { sent: { body: Record<string, unknown>; status: number }[] };
  routes(scope: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

const BODY_LIMIT_BYTES = 64 * 1024;
const MAX_PAYOUTS_PER_REQUEST = 100;
const ATTEMPTS = 3;
const RETRY_DELAY_MS = 100;
const REQUEST_TIMEOUT_MS = 5_000;
const MAX_RECORDED = 1_000;
const UNAUTHORIZED = { error_message: 'Unauthorized', errors: ['Access denied'] };

const digest = (text: string) => createHash('sha256').update(text).digest();
const basic = (key: string) => digest(`Basic ${Buffer.from(`${key}:`).toString('base64')}`);
const text = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

/**
 * Midtrans Iris, the disbursement API, as far as the platform uses it: beneficiaries,
 * payouts (queued until approved with the approver key, then completed, or failed for an
 * account in FAILING_ACCOUNTS), status reads, and signed notifications to the merchant.
 * Answers in Iris's own shapes, never in the platform's envelope.
 */
export function createIrisSandbox(options: IrisSandboxOptions): IrisSandbox {
  const store = new IrisStore();
  const creator = basic(options.creatorKey);
  const approver = basic(options.approverKey);
  const has = (request: FastifyRequest, expected: Buffer) =>
    timingSafeEqual(digest(request.headers.authorization ?? ''), expected);
  let notificationUrl = options.notificationUrl;
  let approvalsHeld = false;
  const sent: { body: Record<string, unknown>; status: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();

  const post = async (body: Record<string, unknown>): Promise<number> => {
    const raw = JSON.stringify(body);
    try {
      const response = await fetch(notificationUrl!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'iris-signature': irisSignature(raw, options.merchantKey),
        },
        body: raw,
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return 0;
    }
  };
  const deliver = (body: Record<string, unknown>): Promise<void> => {
    if (!notificationUrl || abort.signal.aborted) return Promise.resolve();
    const delivery = (async () => {
      for (let attempt = 1; attempt <= ATTEMPTS && !abort.signal.aborted; attempt += 1) {
        const status = await post(body);
        if (sent.length >= MAX_RECORDED) sent.shift();
        sent.push({ body, status });
        if (status >= 200 && status < 300) return;
        options.logger?.warn({ status, attempt }, 'iris sandbox notification not accepted');
        await sleep(RETRY_DELAY_MS * attempt).catch(() => undefined);
      }
    })();
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
    return delivery;
  };
  const notify = (payout: IrisSandboxPayout, status: IrisSandboxStatus = payout.status) =>
    deliver({
      reference_no: payout.referenceNo,
      amount: irisAmount(payout.amount),
      status,
      updated_at: payout.updatedAt.toISOString(),
      ...(status === 'failed' ? { error_code: payout.errorCode, error_message: payout.errorMessage } : {}),
    });

  const routes = async (app: FastifyInstance) => {
    const route = () => ({ bodyLimit: BODY_LIMIT_BYTES, schema: { hide: true } });

    app.post('/api/v1/beneficiaries', route(), async (request, reply) => {
      if (!has(request, creator)) return reply.code(401).send(UNAUTHORIZED);
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (
        !text(body.name, 100) ||
        !text(body.account, 30) ||
        !text(body.bank, 32) ||
        !text(body.alias_name, 20)
      ) {
        return reply
          .code(400)
          .send({ error_message: 'Invalid beneficiary', errors: ['name, account, bank, alias_name'] });
      }
      const added = store.addBeneficiary({
        name: body.name,
        account: body.account,
        bank: body.bank,
        aliasName: body.alias_name,
        email: typeof body.email === 'string' ? body.email : '',
      });
      if (!added) return reply.code(400).send({ errors: ['Alias_name has already been taken'] });
      return reply.code(201).send({ status: 'created' });
    });

    app.post('/api/v1/payouts', route(), async (request, reply) => {
      if (!has(request, creator)) return reply.code(401).send(UNAUTHORIZED);
      const list = (request.body as { payouts?: unknown } | undefined)?.payouts;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_PAYOUTS_PER_REQUEST) {
        return reply
          .code(400)
          .send({ error_message: 'An error occurred when creating payouts', errors: ['payouts'] });
      }
      const problems = list.flatMap((each: Record<string, unknown>, index) =>
        text(each.beneficiary_name, 100) &&
        text(each.beneficiary_account, 30) &&
        text(each.beneficiary_bank, 32) &&
        parseIrisAmount(each.amount) !== undefined &&
        (each.notes === undefined || typeof each.notes === 'string')
          ? []
          : [`payout ${index} is invalid`],
      );
      if (problems.length > 0) {
        return reply
          .code(400)
          .send({ error_message: 'An error occurred when creating payouts', errors: problems });
      }
      const key = request.headers['x-idempotency-key'];
      const created = list.map((each: Record<string, string>, index) =>
        store.create(
          {
            beneficiaryName: each.beneficiary_name!,
            beneficiaryAccount: each.beneficiary_account!,
            beneficiaryBank: each.beneficiary_bank!,
            amount: parseIrisAmount(each.amount)!,
            notes: each.notes ?? '',
          },
          typeof key === 'string' && key.length <= 100 ? `${key}:${index}` : undefined,
        ),
      );
      return reply.code(201).send({
        payouts: created.map((payout) => ({ status: payout.status, reference_no: payout.referenceNo })),
      });
    });

    app.post('/api/v1/payouts/approve', route(), async (request, reply) => {
      if (!has(request, approver)) return reply.code(401).send(UNAUTHORIZED);
      const refs = (request.body as { reference_nos?: unknown } | undefined)?.reference_nos;
      if (!Array.isArray(refs) || refs.length === 0 || refs.length > MAX_PAYOUTS_PER_REQUEST) {
        return reply
          .code(400)
          .send({ error_message: 'reference_nos is required', errors: ['reference_nos'] });
      }
      const payouts = refs.map((ref) => (typeof ref === 'string' ? store.get(ref) : undefined));
      if (payouts.some((payout) => !payout || payout.status !== 'queued')) {
        return reply.code(400).send({ error_message: 'Payouts cannot be approved', errors: ['not queued'] });
      }
      for (const payout of payouts as IrisSandboxPayout[]) {
        if (approvalsHeld) store.set(payout, 'approved');
        // Like Iris, the approver's answer does not wait for the bank nor the merchant.
        else void notify(store.approve(payout.referenceNo)!);
      }
      return reply.send({ status: 'ok' });
    });

    app.get<{ Params: { ref: string } }>('/api/v1/payouts/:ref', route(), async (request, reply) => {
      if (!has(request, creator) && !has(request, approver)) return reply.code(401).send(UNAUTHORIZED);
      const payout = store.get(request.params.ref);
      if (!payout)
        return reply.code(404).send({ error_message: 'Payout not found', errors: ['reference_no'] });
      return reply.send({
        amount: irisAmount(payout.amount),
        beneficiary_name: payout.beneficiaryName,
        beneficiary_account: payout.beneficiaryAccount,
        bank: payout.beneficiaryBank,
        reference_no: payout.referenceNo,
        notes: payout.notes,
        status: payout.status,
        ...(payout.errorCode ? { error_code: payout.errorCode, error_message: payout.errorMessage } : {}),
        created_at: payout.createdAt.toISOString(),
        updated_at: payout.updatedAt.toISOString(),
      });
    });
  };

  return {
    connect(url) {
      notificationUrl = url;
    },
    payout: (ref) => store.get(ref),
    payouts: () => store.list(),
    async sendNotification(ref, status) {
      const payout = store.get(ref);
      if (!payout) throw new Error(`no Iris payout ${ref}`);
      await notify(payout, status);
    },
    async settle(ref, status, settleOptions = {}) {
      const payout = store.get(ref);
      if (!payout) throw new Error(`no Iris payout ${ref}`);
      store.set(
        payout,
        status,
        status === 'failed' ? { code: '002', message: 'Returned by the bank' } : undefined,
      );
      if (settleOptions.notify !== false) await notify(payout);
    },
    holdApprovals(hold) {
      approvalsHeld = hold;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    notifications: { sent },
    routes,
    async close() {
      abort.abort();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
