import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListPaymentsResponse__Output } from '../../src/generated/proto/mamlaka/payments/v1/ListPaymentsResponse.js';
import type { Payment__Output } from '../../src/generated/proto/mamlaka/payments/v1/Payment.js';
import { PaymentsGrpcClient } from '../../src/modules/payments/payments.grpc-client.js';
import type { Actor } from '../../src/platform/auth/policy.js';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { adminOf, market, type PaymentJson, topUp, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let clients: ReturnType<typeof grpcClients>;
let admin: { token: string; id: string };

beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '1000' });
  clients = grpcClients(app.grpcAddress);
  admin = await adminOf(app);
});
afterAll(async () => {
  clients?.close();
  await app?.close();
});

type Options = { token?: string; deadlineMs?: number };
const create = (request: object, options: Options) =>
  call<Payment__Output>(clients.payments, 'CreatePayment', request, options);
const rpc = (method: string, request: object, options: Options) =>
  call<Payment__Output>(clients.payments, method, request, options);
const list = (request: object, options: Options) =>
  call<ListPaymentsResponse__Output>(clients.payments, 'ListPayments', request, options);
const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;
const paymentsOf = async (token: string) =>
  (await app.api<PaymentJson[]>('GET', '/payments?limit=100', { token })).body.results;

describe('PaymentService over gRPC', () => {
  it('buys the variant named by variant_id, in the single-product form and in items', async () => {
    const { buyer, product, seller } = await market(app, { price: '10000', stock: 5, funds: '100000' });
    const variant = async (size: string, price: string) =>
      (
        await app.api<{ id: string; sku: string }>('POST', `/products/${product.id}/variants`, {
          token: seller.token,
          body: { sku: `G-${size}-${randomUUID().slice(0, 8)}`, options: { size }, price, stock: 2 },
        })
      ).body.results;
    const small = await variant('S', '11000');
    const large = await variant('L', '13000');
    const single = await create(
      { product_id: product.id, variant_id: large.id, quantity: 1, payment_method: 'wallet' },
      { token: buyer.token },
    );
    expect(single.error).toBeUndefined();
    expect(single.response?.items[0]).toMatchObject({
      unit_price: '13000',
      variant: { id: large.id, sku: large.sku, options: { size: 'L' } },
    });
    const many = await create(
      { items: [{ product_id: product.id, variant_id: small.id, quantity: 2 }], payment_method: 'wallet' },
      { token: buyer.token },
    );
    expect(many.response).toMatchObject({ total_amount: '22000', status: 'succeeded' });
    const unchosen = await create(
      { product_id: product.id, quantity: 1, payment_method: 'wallet' },
      { token: buyer.token },
    );
    expect(unchosen.error?.code).toBe(status.FAILED_PRECONDITION);
    const shown = await call<{ variants: { id: string; stock: number }[]; tax_class: string }>(
      clients.catalog,
      'GetProduct',
      { id: product.id },
      {},
    );
    expect(shown.response?.tax_class).toBe('standard');
    expect(shown.response?.variants.map((each) => [each.id, each.stock])).toEqual([
      [small.id, 0],
      [large.id, 1],
    ]);
  });

  it('pays from the wallet: the payment succeeds and the money moves, as REST sees it', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 5, funds: '50000' });
    const paid = await create(
      { product_id: product.id, quantity: 2, payment_method: 'wallet' },
      { token: buyer.token },
    );
    expect(paid.error).toBeUndefined();
    expect(paid.response).toMatchObject({
      product_id: product.id,
      user_id: buyer.id,
      payment_method: 'wallet',
      quantity: 2,
      total_amount: '20000',
      refunded_amount: '0',
      currency: 'IDR',
      status: 'succeeded',
      product: { id: product.id, user_id: seller.id, price: '10000' },
      items: [{ product_id: product.id, seller_id: seller.id, quantity: 2, subtotal: '20000' }],
    });
    // Unset optional fields are absent, not empty strings.
    expect(paid.response).not.toHaveProperty('failure_code');
    expect(paid.response).not.toHaveProperty('payment_url');
    expect((await walletOf(app, buyer.token)).available).toBe('30000');
    expect((await walletOf(app, seller.token)).available).toBe('18000');
    expect(await stockOf(product.id)).toBe(3);
  });

  it('buys several lines from several sellers with one payment', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', funds: '100000' });
    const other = await signUp(app, { role: 'seller' });
    const second = await createProduct(app, other.token, { price: '2500', stock: 4 });
    const paid = await create(
      {
        items: [
          { product_id: product.id, quantity: 1 },
          { product_id: second.id, quantity: 2 },
        ],
      },
      { token: buyer.token },
    );
    expect(paid.response).toMatchObject({ status: 'succeeded', quantity: 3, total_amount: '15000' });
    // Lines come back in the checkout's own order (not necessarily the request's).
    expect(paid.response?.items.map((item) => [item.seller_id, item.subtotal])).toEqual(
      expect.arrayContaining([
        [seller.id, '10000'],
        [other.id, '5000'],
      ]),
    );
    expect(paid.response?.items).toHaveLength(2);
    expect((await walletOf(app, seller.token)).available).toBe('9000');
    expect((await walletOf(app, other.token)).available).toBe('4500');
    expect(await stockOf(second.id)).toBe(2);
  });

  it('captures a pending manual payment for an admin only, booking the money once', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 3, funds: '0' });
    const pending = (await create({ product_id: product.id, quantity: 1, payment_method: 'manual' }, buyer))
      .response!;
    expect(pending.status).toBe('pending');
    expect(pending.expires_at).toEqual(expect.any(String));
    const byBuyer = await rpc('CapturePayment', { id: pending.id }, buyer);
    expect(byBuyer.error?.code).toBe(status.PERMISSION_DENIED);
    expect(byBuyer.reason).toBe('role_not_allowed');
    const captured = await rpc('CapturePayment', { id: pending.id }, admin);
    expect(captured.response?.status).toBe('succeeded');
    expect((await walletOf(app, seller.token)).available).toBe('9000');
    const twice = await rpc('CapturePayment', { id: pending.id }, admin);
    expect(twice.error?.code).toBe(status.FAILED_PRECONDITION);
    expect(twice.reason).toBe('invalid_payment_transition');
    expect((await walletOf(app, seller.token)).available).toBe('9000');
    // An admin action over gRPC is in the audit log as over REST, refusals included.
    const audit = await app.api<{ target: unknown; status_code: number }[]>(
      'GET',
      `/admin/audit?actor_id=${admin.id}&action=admin.payment.capture`,
      { token: admin.token },
    );
    expect(audit.body.results.map((entry) => [entry.target, entry.status_code])).toEqual([
      [{ kind: 'payment', id: pending.id }, 422],
      [{ kind: 'payment', id: pending.id }, 200],
    ]);
  });

  it('cancels a pending payment for its buyer, returning the stock; to another buyer it does not exist', async () => {
    const { buyer, product } = await market(app, { stock: 3, funds: '0' });
    const pending = (await create({ product_id: product.id, quantity: 2, payment_method: 'manual' }, buyer))
      .response!;
    expect(await stockOf(product.id)).toBe(1);
    const stranger = await signUp(app);
    const notTheirs = await rpc('CancelPayment', { id: pending.id }, stranger);
    expect(notTheirs.error?.code).toBe(status.NOT_FOUND);
    expect(notTheirs.reason).toBe('payment_not_found');
    const canceled = await rpc('CancelPayment', { id: pending.id }, buyer);
    expect(canceled.response?.status).toBe('canceled');
    expect(await stockOf(product.id)).toBe(3);
  });

  it('refunds in part, then the rest, and refuses more than what is left', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 5, funds: '10000' });
    const paid = (await create({ product_id: product.id, quantity: 1 }, buyer)).response!;
    const byBuyer = await rpc('RefundPayment', { id: paid.id, reason: 'self-service' }, buyer);
    expect(byBuyer.error?.code).toBe(status.PERMISSION_DENIED);

    const part = await rpc('RefundPayment', { id: paid.id, amount: '4000', reason: 'damaged' }, seller);
    expect(part.response).toMatchObject({ status: 'partially_refunded', refunded_amount: '4000' });
    expect((await walletOf(app, buyer.token)).available).toBe('4000');
    const tooMuch = await rpc('RefundPayment', { id: paid.id, amount: '6001', reason: 'too much' }, seller);
    expect(tooMuch.error?.code).toBe(status.FAILED_PRECONDITION);
    expect(tooMuch.reason).toBe('refund_exceeds_remaining');

    const rest = await rpc('RefundPayment', { id: paid.id, reason: 'the rest', restock: true }, seller);
    expect(rest.response).toMatchObject({ status: 'refunded', refunded_amount: '10000' });
    expect((await walletOf(app, buyer.token)).available).toBe('10000');
    expect((await walletOf(app, seller.token)).available).toBe('0');
    expect(await stockOf(product.id)).toBe(5);
  });

  it('creates refunds as objects, answers a retry with the first, and refuses a key reused for another refund', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 5, funds: '10000' });
    const paid = (await create({ product_id: product.id, quantity: 1 }, buyer)).response!;
    const idempotency_key = randomUUID();
    const request = { id: paid.id, amount: '3000', reason: 'damaged', idempotency_key };
    const first = await rpc('CreateRefund', request, seller);
    expect(first.response).toMatchObject({ status: 'succeeded', amount: '3000', payment_id: paid.id });
    expect((await rpc('CreateRefund', request, seller)).response).toEqual(first.response);
    const reused = await rpc('CreateRefund', { ...request, amount: '4000' }, seller);
    expect(reused.error?.code).toBe(status.FAILED_PRECONDITION);
    expect(reused.reason).toBe('idempotency_key_reused');
    const listed = await rpc('ListRefunds', { payment_id: paid.id }, buyer);
    expect(listed.response).toEqual({ refunds: [first.response] });
    const stranger = await signUp(app);
    const hidden = await rpc('GetRefund', { id: (first.response as { id: string }).id }, stranger);
    expect(hidden.error?.code).toBe(status.NOT_FOUND);
    expect((await walletOf(app, buyer.token)).available).toBe('3000');
  });

  it('reads a payment for its buyer and its seller, and pages through the list newest first', async () => {
    const { seller, buyer, product } = await market(app, { price: '1000', stock: 10, funds: '10000' });
    const made: string[] = [];
    for (let i = 0; i < 3; i++)
      made.push((await create({ product_id: product.id, quantity: 1 }, buyer)).response!.id!);

    const got = await rpc('GetPayment', { id: made[0] }, buyer);
    expect(got.response?.id).toBe(made[0]);
    expect((await rpc('GetPayment', { id: made[0] }, seller)).response?.id).toBe(made[0]);

    const first = await list({ limit: 2 }, buyer);
    expect(first.response?.payments.map((p) => p.id)).toEqual([made[2], made[1]]);
    expect(first.response?.next_cursor).toEqual(expect.any(String));
    const second = await list({ limit: 2, cursor: first.response!.next_cursor }, buyer);
    expect(second.response?.payments.map((p) => p.id)).toEqual([made[0]]);
    expect(second.response).not.toHaveProperty('next_cursor');
    // The seller sees the same payments, as the ones for their product.
    const asSeller = await list({}, seller);
    expect(asSeller.response?.payments.map((p) => p.id)).toEqual([...made].reverse());
  });

  it('answers a CreatePayment retried with its idempotency_key with the first payment, charging once', async () => {
    const { buyer, product } = await market(app, { price: '1000', stock: 10, funds: '10000' });
    const key = randomUUID();
    const request = { product_id: product.id, quantity: 1, idempotency_key: key };
    const first = await create(request, buyer);
    const again = await create(request, buyer);
    expect(again.response?.id).toBe(first.response?.id);
    // Concurrent retries race to the unique index; all of them get the one payment.
    const racing = await Promise.all(Array.from({ length: 5 }, () => create(request, buyer)));
    expect(new Set(racing.map((r) => r.response?.id))).toEqual(new Set([first.response?.id]));
    expect((await walletOf(app, buyer.token)).available).toBe('9000');
    expect(await stockOf(product.id)).toBe(9);
    expect(await paymentsOf(buyer.token)).toHaveLength(1);
    // The same key for a different checkout is refused, as REST refuses it (422 there).
    const different = await create({ ...request, quantity: 2 }, buyer);
    expect(different.error?.code).toBe(status.FAILED_PRECONDITION);
    expect(different.reason).toBe('idempotency_key_reused');
    expect((await walletOf(app, buyer.token)).available).toBe('9000');
    // The key is the buyer's own: another buyer using it pays for themselves.
    const other = await signUp(app);
    await topUp(app, other.token, '1000');
    const theirs = await create(request, other);
    expect(theirs.response?.id).not.toBe(first.response?.id);
  });

  it('answers a retry with the first payment even when the order could no longer be placed again', async () => {
    // Buys one unit under `key`, then retries: the retry must get the same payment.
    const buyTwice = async (setup: Awaited<ReturnType<typeof market>>, key: string) => {
      const request = { product_id: setup.product.id, quantity: 1, idempotency_key: key };
      const first = await create(request, setup.buyer);
      expect(first.response?.status).toBe('succeeded');
      const again = await create(request, setup.buyer);
      expect(again.response?.id).toBe(first.response?.id);
      expect(await paymentsOf(setup.buyer.token)).toHaveLength(1);
    };
    // The funds are spent by the first: the retry's lookup in its transaction finds the payment.
    await buyTwice(await market(app, { price: '1000', stock: 10, funds: '1000' }), 'k-funds');
    // Sold out by the first: the retry's quote fails, and the failure is answered with the payment.
    const soldOut = await market(app, { price: '1000', stock: 1, funds: '5000' });
    await buyTwice(soldOut, 'k-stock');
    // A new key for the same order is refused: the product is sold out.
    const fresh = await create(
      { product_id: soldOut.product.id, quantity: 1, idempotency_key: 'k-new' },
      soldOut.buyer,
    );
    expect(fresh.reason).toBe('insufficient_stock');
    expect((await walletOf(app, soldOut.buyer.token)).available).toBe('4000');
  });

  it('refuses bad input with INVALID_ARGUMENT and a field violation per field, charging nothing', async () => {
    const { buyer, product } = await market(app, { price: '1000', funds: '10000' });
    const fieldsOf = async (method: string, request: object) => {
      const outcome = await rpc(method, request, buyer);
      expect(outcome.error?.code).toBe(status.INVALID_ARGUMENT);
      expect(outcome.reason).toBe('validation_failed');
      return outcome.fields;
    };
    expect(await fieldsOf('CreatePayment', { product_id: product.id, quantity: 0 })).toEqual([
      { field: 'quantity', reason: 'out_of_range' },
    ]);
    expect(await fieldsOf('CreatePayment', { product_id: 'not-a-uuid', quantity: 1 })).toEqual([
      { field: 'product_id', reason: 'invalid_format' },
    ]);
    expect(await fieldsOf('CreatePayment', { items: [{ product_id: 'nope', quantity: 0 }] })).toEqual(
      expect.arrayContaining([
        { field: 'items.0.product_id', reason: 'invalid_format' },
        { field: 'items.0.quantity', reason: 'out_of_range' },
      ]),
    );
    expect(await fieldsOf('CreatePayment', {})).toEqual(
      expect.arrayContaining([{ field: 'product_id', reason: 'required' }]),
    );
    expect(
      await fieldsOf('CreatePayment', {
        product_id: product.id,
        items: [{ product_id: product.id, quantity: 1 }],
      }),
    ).toEqual([{ field: 'product_id', reason: 'unknown_field' }]);
    expect(
      await fieldsOf('CreatePayment', { product_id: product.id, quantity: 1, idempotency_key: 'has space' }),
    ).toEqual([{ field: 'idempotency_key', reason: 'invalid_format' }]);
    expect(await fieldsOf('GetPayment', { id: 'nope' })).toEqual([{ field: 'id', reason: 'invalid_format' }]);
    expect(await fieldsOf('RefundPayment', { id: randomUUID() })).toEqual([
      { field: 'reason', reason: 'required' },
    ]);
    const badLimit = await list({ limit: 0 }, buyer);
    expect(badLimit.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(badLimit.fields).toEqual([{ field: 'limit', reason: 'out_of_range' }]);
    expect((await walletOf(app, buyer.token)).available).toBe('10000');
    expect(await paymentsOf(buyer.token)).toHaveLength(0);
  });

  it('answers insufficient stock and unknown products with the error family’s codes, selling nothing', async () => {
    const { buyer, product } = await market(app, { price: '1000', stock: 2, funds: '10000' });
    const short = await create({ product_id: product.id, quantity: 3 }, buyer);
    // insufficient_stock is a conflict (409 over REST), which gRPC answers ALREADY_EXISTS.
    expect(short.error?.code).toBe(status.ALREADY_EXISTS);
    expect(short.reason).toBe('insufficient_stock');
    const missing = await create({ product_id: randomUUID(), quantity: 1 }, buyer);
    expect(missing.error?.code).toBe(status.NOT_FOUND);
    expect(missing.reason).toBe('product_not_found');
    expect(await stockOf(product.id)).toBe(2);
    expect((await walletOf(app, buyer.token)).available).toBe('10000');
  });

  it('maps auth failures: no token UNAUTHENTICATED, wrong role PERMISSION_DENIED, others’ payments NOT_FOUND', async () => {
    const { seller, buyer, product } = await market(app, { price: '1000', funds: '10000' });
    const paid = (await create({ product_id: product.id, quantity: 1 }, buyer)).response!;
    const anonymous = await create({ product_id: product.id, quantity: 1 }, {});
    expect(anonymous.error?.code).toBe(status.UNAUTHENTICATED);
    expect(anonymous.reason).toBe('authentication_required');
    expect((await list({}, {})).error?.code).toBe(status.UNAUTHENTICATED);
    expect((await rpc('GetPayment', { id: paid.id }, { token: 'not.a.jwt' })).error?.code).toBe(
      status.UNAUTHENTICATED,
    );
    const sellerBuying = await create({ product_id: product.id, quantity: 1 }, seller);
    expect(sellerBuying.error?.code).toBe(status.PERMISSION_DENIED);
    const stranger = await signUp(app);
    const someoneElses = await rpc('GetPayment', { id: paid.id }, stranger);
    expect(someoneElses.error?.code).toBe(status.NOT_FOUND);
    expect(someoneElses.reason).toBe('payment_not_found');
    expect((await list({}, stranger)).response?.payments).toEqual([]);
    expect((await rpc('GetPayment', { id: paid.id }, admin)).response?.id).toBe(paid.id);
  });

  it('fails with DEADLINE_EXCEEDED when the deadline is shorter than the call; a retry with the key pays once', async () => {
    const { buyer, product } = await market(app, { price: '1000', stock: 5, funds: '10000' });
    const request = { product_id: product.id, quantity: 1, idempotency_key: randomUUID() };
    const late = await create(request, { token: buyer.token, deadlineMs: 1 });
    expect(late.error?.code).toBe(status.DEADLINE_EXCEEDED);
    // Whether the late call ran or not, retrying with its key leaves exactly one payment.
    const retried = await create(request, buyer);
    expect(retried.response?.status).toBe('succeeded');
    expect((await paymentsOf(buyer.token)).map((p) => p.id)).toEqual([retried.response?.id]);
    expect((await walletOf(app, buyer.token)).available).toBe('9000');
    expect(await stockOf(product.id)).toBe(4);
  });
});

describe('PaymentsGrpcClient', () => {
  let client: PaymentsGrpcClient;
  beforeAll(() => {
    client = new PaymentsGrpcClient(app.grpcAddress, { deadlineMs: 10_000 });
  });
  afterAll(() => client?.close());

  const actorOf = (user: { id: string; token: string }, role: Actor['role']): Actor => ({
    userId: user.id,
    role,
    credential: user.token,
  });

  it('returns exactly what the in-process services and REST return for the same payment', async () => {
    const { checkout, payments, refunds } = app.platform.payments;
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 5, funds: '0' });
    const asBuyer = actorOf(buyer, 'buyer');
    const asSeller = actorOf(seller, 'seller');
    const asAdmin = actorOf(admin, 'admin');
    const rest = async (id: string) =>
      (await app.api<PaymentJson>('GET', `/payments/${id}`, { token: buyer.token })).body.results;

    // The idempotency key travels: the same key in process gives back the client's payment.
    const key = randomUUID();
    const input = { items: [{ product_id: product.id, quantity: 1 }], payment_method: 'manual' };
    const pending = await client.create(asBuyer, input, key);
    expect(pending).toMatchObject({ status: 'pending', failure_code: null, payment_url: null, token: null });
    expect(await checkout.create(asBuyer, input, key)).toEqual(pending);
    expect(await payments.retrieve(asBuyer, pending.id)).toEqual(pending);
    expect(await rest(pending.id)).toEqual(pending);

    // A failed wallet payment: failure_code set, expires_at null.
    const failed = await client.create(asBuyer, { items: [{ product_id: product.id, quantity: 1 }] });
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'insufficient_funds', expires_at: null });
    expect(await payments.retrieve(asBuyer, failed.id)).toEqual(failed);

    const captured = await client.capture(asAdmin, pending.id);
    expect(captured.status).toBe('succeeded');
    expect(await payments.retrieve(asAdmin, pending.id)).toEqual(captured);
    const refunded = await client.refund(asSeller, pending.id, { amount: '2500', reason: 'partial' });
    expect(refunded).toMatchObject({ status: 'succeeded', amount: '2500', failure_code: null });
    expect(await refunds.retrieveRefund(asBuyer, refunded.id)).toEqual(refunded);
    expect(await client.retrieveRefund(asBuyer, refunded.id)).toEqual(refunded);
    expect((await rest(pending.id)).refunded_amount).toBe('2500');
    const more = await refunds.refund(asSeller, pending.id, { reason: 'the rest' });
    expect(await client.listRefunds(asBuyer, pending.id)).toEqual([refunded, more]);
    expect(await client.retrieve(asBuyer, pending.id)).toEqual(await payments.retrieve(asBuyer, pending.id));

    const page = { limit: 1 };
    const remote = await client.list(asBuyer, page);
    expect(remote).toEqual(await payments.list(asBuyer, page));
    expect(remote.nextCursor).not.toBeNull();
    const last = { limit: 1, cursor: remote.nextCursor! };
    expect(await client.list(asBuyer, last)).toEqual(await payments.list(asBuyer, last));
    expect((await client.list(asBuyer, last)).nextCursor).toBeNull();

    // Errors come back as the AppError the service threw.
    const stranger = await signUp(app);
    const hidden = { kind: 'not_found', code: 'payment_not_found' };
    await expect(client.retrieve(actorOf(stranger, 'buyer'), pending.id)).rejects.toMatchObject(hidden);
    await expect(payments.retrieve(actorOf(stranger, 'buyer'), pending.id)).rejects.toMatchObject(hidden);
    await expect(client.cancel(undefined, pending.id)).rejects.toMatchObject({
      kind: 'unauthenticated',
      code: 'authentication_required',
    });
  });
});
