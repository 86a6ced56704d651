import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MidtransSandbox } from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import { eventually } from '../helpers/eventually.js';
import { queuedMails } from '../helpers/mail.js';
import { startMidtransWorld } from '../helpers/midtrans.js';
import {
  adminOf,
  market,
  type PaymentJson,
  reconcile,
  type RefundJson,
  walletOf,
} from '../helpers/payments.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Refunds through a gateway in two phases: the ledger holds the money before Midtrans is
 * asked, and whatever Midtrans answers (or fails to answer) the sandbox's own record of
 * what it paid back and the ledger agree.
 */

let world: Awaited<ReturnType<typeof startMidtransWorld>>;
let sandbox: MidtransSandbox;
let app: TestApp;
let admin: { token: string };

beforeAll(async () => {
  world = await startMidtransWorld({
    // A refund call gives up after ~1.5 s (3 attempts); the reconciler looks 3 s after.
    MIDTRANS_TIMEOUT: '250ms',
    REFUND_CHECK_DELAY: '3s',
    REFUND_CHECK_MAX_DELAY: '3s',
    REFUND_RECONCILE_INTERVAL: '200ms',
  });
  ({ app, sandbox } = world);
  admin = await adminOf(app);
});
afterEach(() => sandbox.setRefundFault('none'));
afterAll(async () => {
  await world?.close();
});

/** A settled Midtrans payment of `price` from a new buyer to a new seller. */
async function paidThroughMidtrans(price = '10000') {
  const { seller, buyer, product } = await market(app, { price, funds: '0' });
  const created = await app.api<PaymentJson>('POST', '/payments', {
    token: buyer.token,
    body: { product_id: product.id, quantity: 1, payment_method: 'midtrans' },
  });
  await sandbox.pay(created.body.results.id, 'settlement');
  return { seller, buyer, payment: created.body.results };
}

const refund = (token: string, paymentId: string, body: Record<string, unknown>, key?: string) =>
  app.api<RefundJson>('POST', `/payments/${paymentId}/refunds`, {
    token,
    body,
    headers: key ? { 'idempotency-key': key } : {},
  });

const paymentOf = async (token: string, id: string) =>
  (await app.api<PaymentJson>('GET', `/payments/${id}`, { token })).body.results;
const refundsOf = async (token: string, id: string) =>
  (await app.api<RefundJson[]>('GET', `/payments/${id}/refunds`, { token })).body.results;
const gatewayRefunded = (orderId: string) => sandbox.refunds(orderId).reduce((sum, r) => sum + r.amount, 0n);
/** The payment's refund events in outbox order, and the refund mails queued to `email`. */
async function trail(paymentId: string, email: string) {
  const { rows: events } = await sql<{ type: string }>`
    SELECT type FROM outbox_events WHERE aggregate = ${`payment:${paymentId}`} AND type LIKE 'refund.%'
    ORDER BY position`.execute(app.db.database.db);
  const mails = await queuedMails(app, 'refund', email);
  return { events: events.map((e) => e.type), mails: mails.map((m) => m.subject) };
}

const ledgerOk = async () => expect(await reconcile(app, admin.token)).toMatchObject({ ok: true });

describe('two-phase gateway refunds', () => {
  it('refuses with 422 before asking the gateway when the seller was already paid out', async () => {
    const { seller, buyer, payment } = await paidThroughMidtrans('10000');
    const payout = await app.api('POST', '/wallet/payouts', {
      token: seller.token,
      body: { amount: '9750', currency: 'IDR' },
    });
    expect(payout.status).toBe(201);
    const refused = await refund(seller.token, payment.id, { reason: 'too late' });
    expect(refused.status).toBe(422);
    expect(refused.body.meta.code).toBe('insufficient_funds');
    expect(sandbox.refunds(payment.id)).toHaveLength(0);
    expect(await refundsOf(buyer.token, payment.id)).toEqual([]);
    expect(await paymentOf(buyer.token, payment.id)).toMatchObject({
      status: 'succeeded',
      refunded_amount: '0',
    });
    await ledgerOk();
  });

  it('marks a refund the gateway refuses failed with its reason, and releases the hold', async () => {
    const { seller, buyer, payment } = await paidThroughMidtrans('10000');
    sandbox.setRefundFault('refuse');
    const refused = await refund(seller.token, payment.id, { amount: '4000', reason: 'bank says no' });
    expect(refused.status).toBe(201);
    expect(refused.body.results).toMatchObject({ status: 'failed', failure_code: 'gateway_refused_412' });
    expect(refused.body.results.failure_message).toMatch(/refused/i);
    expect(await paymentOf(buyer.token, payment.id)).toMatchObject({
      status: 'succeeded',
      refunded_amount: '0',
    });
    // Nothing stays held: the seller can still give the whole payment back.
    expect((await walletOf(app, seller.token)).available).toBe('9750');
    sandbox.setRefundFault('none');
    expect((await refund(seller.token, payment.id, { reason: 'now it works' })).body.results.status).toBe(
      'succeeded',
    );
    expect(gatewayRefunded(payment.id)).toBe(10_000n);
    await ledgerOk();
    const seen = await eventually(
      () => trail(payment.id, seller.email),
      (t) => t.events.length === 4 && t.mails.length === 1,
    );
    expect(seen.events).toEqual(['refund.created', 'refund.failed', 'refund.created', 'refund.succeeded']);
    expect(seen.mails[0]).toMatch(/^Refund of IDR 4,000 failed/);
  });

  it.each(['hang_after_executing', 'hang_before_executing'] as const)(
    'answers 202 pending when the gateway times out (%s), and the reconciler settles it as the gateway did',
    async (fault) => {
      const { seller, buyer, payment } = await paidThroughMidtrans('10000');
      sandbox.setRefundFault(fault);
      const pending = await refund(seller.token, payment.id, { amount: '2500', reason: 'slow bank' });
      expect(pending.status).toBe(202);
      expect(pending.body.results).toMatchObject({ status: 'pending', amount: '2500' });
      // Held, not moved: the seller cannot spend it, the payment is not refunded yet.
      expect((await walletOf(app, seller.token)).available).toBe('7312');
      expect(await paymentOf(buyer.token, payment.id)).toMatchObject({
        status: 'succeeded',
        refunded_amount: '0',
      });
      await ledgerOk();
      // Nothing more is refundable than what is not already promised.
      const tooMuch = await refund(seller.token, payment.id, { amount: '7501', reason: 'over' });
      expect(tooMuch.body.meta.code).toBe('refund_exceeds_remaining');

      sandbox.setRefundFault('none');
      const settled = await eventually(
        async () =>
          (await app.api<RefundJson>('GET', `/refunds/${pending.body.results.id}`, { token: seller.token }))
            .body.results,
        (r) => r.status !== 'pending',
        15_000,
        100,
      );
      expect(settled.status).toBe('succeeded');
      expect(sandbox.refunds(payment.id)).toHaveLength(1);
      expect(gatewayRefunded(payment.id)).toBe(2_500n);
      expect(await paymentOf(buyer.token, payment.id)).toMatchObject({
        status: 'partially_refunded',
        refunded_amount: '2500',
      });
      expect((await walletOf(app, seller.token)).available).toBe('7312');
      await ledgerOk();
      const seen = await eventually(
        () => trail(payment.id, buyer.email),
        (t) => t.events.length === 2 && t.mails.length === 2,
      );
      expect(seen.events).toEqual(['refund.created', 'refund.succeeded']);
      expect(seen.mails).toEqual([
        `Refund of IDR 2,500 on its way: ${payment.payment_code}`,
        `Refund of IDR 2,500: ${payment.payment_code}`,
      ]);
    },
  );

  it('executes a refund retried 20 times concurrently under one key exactly once', async () => {
    const { seller, buyer, payment } = await paidThroughMidtrans('10000');
    const key = randomUUID();
    const body = { amount: '3000', reason: 'retried' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => refund(seller.token, payment.id, body, key)),
    );
    expect(answers.every((a) => [201, 409].includes(a.status))).toBe(true);
    const replay = await refund(seller.token, payment.id, body, key);
    expect(replay.status).toBe(201);
    expect(sandbox.refunds(payment.id)).toHaveLength(1);
    expect(await refundsOf(buyer.token, payment.id)).toHaveLength(1);
    expect((await paymentOf(buyer.token, payment.id)).refunded_amount).toBe('3000');
    await ledgerOk();
  });

  it('never lets 20 concurrent partial refunds pay back more than the payment, at the gateway or in the ledger', async () => {
    const { seller, buyer, payment } = await paidThroughMidtrans('10000');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => refund(seller.token, payment.id, { amount: '700', reason: 'race' })),
    );
    // On a busy machine a gateway call may outlast MIDTRANS_TIMEOUT: that refund answers 202
    // pending and keeps its 700 promised until the reconciler settles it as the gateway did.
    const made = answers.filter((a) => a.status === 201 || a.status === 202);
    expect(made).toHaveLength(14); // 14 × 700 = 9,800 of 10,000
    expect(
      answers
        .filter((a) => a.status !== 201 && a.status !== 202)
        .every((a) => a.body.meta.code === 'refund_exceeds_remaining'),
    ).toBe(true);
    await eventually(
      () => refundsOf(seller.token, payment.id),
      (refunds) => refunds.every((r) => r.status !== 'pending'),
      15_000,
      100,
    );
    const paidBack = gatewayRefunded(payment.id);
    expect(paidBack).toBe(BigInt(sandbox.refunds(payment.id).length) * 700n);
    expect(paidBack).toBeLessThanOrEqual(9_800n);
    expect(BigInt((await paymentOf(buyer.token, payment.id)).refunded_amount)).toBe(paidBack);
    const succeeded = (await refundsOf(seller.token, payment.id)).filter((r) => r.status === 'succeeded');
    expect(BigInt(succeeded.length) * 700n).toBe(paidBack);
    await ledgerOk();
  });
});
