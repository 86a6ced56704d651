import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscountsRepository } from '../../src/modules/discounts/discounts.repository.js';
import type { DiscountInput } from '../../src/modules/discounts/discounts.rules.js';
import { DiscountsService, type ResolveInput } from '../../src/modules/discounts/discounts.service.js';
import type { Actor } from '../../src/platform/auth/policy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * What checkout asks of the discounts module, on the database the suite runs on: which
 * discounts a cart gets, and redemptions that never hand out more uses than a discount has,
 * however many checkouts race for it.
 */

let t: TestDatabase;
let db: Kysely<object>;
let discounts: DiscountsService;
beforeAll(async () => {
  t = await createTestDatabase();
  db = t.database.db;
  discounts = new DiscountsService(new DiscountsRepository(db));
});
afterAll(() => t?.drop());

const admin: Actor = { userId: randomUUID(), role: 'admin' };
const newSeller = (): Actor => ({ userId: randomUUID(), role: 'seller' });
const code = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`.toUpperCase();
const make = (actor: Actor, input: DiscountInput) => discounts.create(actor, input);

const NOW = new Date('2026-06-01T12:00:00Z');
const cart = (over: Partial<ResolveInput> & { subtotals?: Record<string, bigint> }): ResolveInput => ({
  codes: [],
  buyerId: randomUUID(),
  currency: 'IDR',
  now: NOW,
  subtotalsBySeller: new Map(Object.entries(over.subtotals ?? { [randomUUID()]: 100_000n })),
  ...over,
});
const resolve = (input: ResolveInput) => discounts.resolve(db, input);
const refusedWith = async (input: ResolveInput) => {
  try {
    await resolve(input);
  } catch (error) {
    const { code, kind, message } = error as { code: string; kind: string; message: string };
    return { code, kind, message };
  }
  throw new Error('resolve did not refuse');
};
const redeemIn = (ids: string[], buyerId: string, paymentId = randomUUID()) =>
  db.transaction().execute((trx) => discounts.redeem(trx, { discountIds: ids, buyerId, paymentId }));
const usesOf = async (id: string) => (await discounts.retrieve(admin, id)).uses;

describe('resolve', () => {
  it('adds the automatic promotions that apply: the platform’s, then those of sellers in the cart', async () => {
    const inCart = newSeller();
    const notInCart = newSeller();
    // In euros, which no other test of this file quotes in: the platform's promotions apply to every cart.
    const platform = await make(admin, { kind: 'percentage', percent_bps: 500, currency: 'EUR' });
    const sellers = await make(inCart, { kind: 'free_shipping' });
    await make(notInCart, { kind: 'percentage', percent_bps: 900 });
    await make(admin, { kind: 'percentage', percent_bps: 100, currency: 'EUR', active: false });
    await make(admin, {
      kind: 'percentage',
      percent_bps: 100,
      currency: 'EUR',
      starts_at: '2026-06-02T00:00:00Z',
    });
    await make(admin, {
      kind: 'percentage',
      percent_bps: 100,
      currency: 'EUR',
      ends_at: '2026-06-01T12:00:00Z',
    });
    await make(admin, { kind: 'fixed', amount: '1.00', currency: 'EUR', minimum_subtotal: '1000.01' });
    await make(inCart, { kind: 'percentage', percent_bps: 100, currency: 'USD' });
    // Quote order reads created_at to the millisecond: let the clock move on.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = await make(admin, {
      kind: 'fixed',
      amount: '2.50',
      currency: 'EUR',
      minimum_subtotal: '1000',
    });

    const { discounts: got } = await resolve(
      cart({ currency: 'EUR', subtotals: { [inCart.userId]: 60_000n, [randomUUID()]: 40_000n } }),
    );
    expect(got).toEqual([
      { id: platform.id, fundedBy: 'platform', code: null, kind: 'percentage', bps: 500 },
      { id: later.id, fundedBy: 'platform', code: null, kind: 'fixed', amountMinor: 250n },
      { id: sellers.id, fundedBy: 'seller', sellerId: inCart.userId, code: null, kind: 'free_shipping' },
    ]);
  });

  it('adds each code given, in any case, in quote order, and a code given twice once', async () => {
    const seller = newSeller();
    const sellersCode = await make(seller, {
      code: code('s'),
      kind: 'fixed',
      amount: '5000',
      currency: 'IDR',
    });
    const platformCode = await make(admin, { code: code('p'), kind: 'percentage', percent_bps: 1000 });
    const { discounts: got } = await resolve(
      cart({
        codes: [sellersCode.code!.toLowerCase(), ` ${platformCode.code!} `, sellersCode.code!],
        subtotals: { [seller.userId]: 100_000n },
      }),
    );
    expect(got).toEqual([
      { id: platformCode.id, fundedBy: 'platform', code: platformCode.code, kind: 'percentage', bps: 1000 },
      {
        id: sellersCode.id,
        fundedBy: 'seller',
        sellerId: seller.userId,
        code: sellersCode.code,
        kind: 'fixed',
        amountMinor: 5000n,
      },
    ]);
  });

  it('refuses an unknown, malformed, deleted, not yet started or ended code with 422 naming it', async () => {
    const seller = newSeller();
    const deleted = await make(seller, { code: code('gone'), kind: 'free_shipping' });
    await discounts.delete(seller, deleted.id);
    const early = await make(seller, {
      code: code('early'),
      kind: 'free_shipping',
      starts_at: '2026-06-01T12:00:01Z',
    });
    const ended = await make(seller, {
      code: code('ended'),
      kind: 'free_shipping',
      ends_at: '2026-06-01T12:00:00Z',
    });
    const subtotals = { [seller.userId]: 1000n };
    for (const text of [code('nope'), 'x', deleted.code!, early.code!, ended.code!]) {
      const refusal = await refusedWith(cart({ codes: [text], subtotals }));
      expect(refusal).toMatchObject({ code: 'discount_code_invalid', kind: 'unprocessable' });
      expect(refusal.message).toContain(text);
    }
    // One second later it has started.
    expect(
      (await resolve(cart({ codes: [early.code!], subtotals, now: new Date('2026-06-01T12:00:01Z') })))
        .discounts,
    ).toHaveLength(1);
  });

  it('refuses a code in another currency, below its minimum, or of a seller with no goods in the cart', async () => {
    const seller = newSeller();
    const usd = await make(admin, { code: code('usd'), kind: 'fixed', amount: '1.00', currency: 'USD' });
    const minimum = await make(seller, {
      code: code('min'),
      kind: 'percentage',
      percent_bps: 1000,
      currency: 'IDR',
      minimum_subtotal: '50000',
    });
    const notApplicable = (input: ResolveInput) =>
      refusedWith(input).then((refusal) =>
        expect(refusal).toMatchObject({ code: 'discount_not_applicable' }),
      );
    await notApplicable(cart({ codes: [usd.code!] }));
    // The seller's own goods count towards its minimum, not the whole cart.
    await notApplicable(
      cart({ codes: [minimum.code!], subtotals: { [seller.userId]: 49_999n, [randomUUID()]: 1_000_000n } }),
    );
    await notApplicable(cart({ codes: [minimum.code!], subtotals: { [randomUUID()]: 1_000_000n } }));
    const met = await resolve(cart({ codes: [minimum.code!], subtotals: { [seller.userId]: 50_000n } }));
    expect(met.discounts.map((d) => d.id)).toEqual([minimum.id]);
  });

  it('refuses a used-up code with 409 discount_exhausted and a buyer’s used-up code with discount_limit_reached', async () => {
    const once = await make(admin, { code: code('once'), kind: 'free_shipping', max_uses: 1 });
    const perBuyer = await make(admin, {
      code: code('mine'),
      kind: 'free_shipping',
      max_uses_per_customer: 1,
    });
    const buyer = randomUUID();
    await redeemIn([once.id, perBuyer.id], buyer);
    expect(await refusedWith(cart({ codes: [once.code!] }))).toMatchObject({
      code: 'discount_exhausted',
      kind: 'conflict',
    });
    expect(await refusedWith(cart({ codes: [perBuyer.code!], buyerId: buyer }))).toMatchObject({
      code: 'discount_limit_reached',
      kind: 'conflict',
    });
    expect((await resolve(cart({ codes: [perBuyer.code!] }))).discounts).toHaveLength(1);
  });

  it('leaves out automatic promotions a buyer or everybody has used up, and keeps to 20 discounts', async () => {
    const seller = newSeller();
    const buyer = randomUUID();
    const used = await make(seller, { kind: 'free_shipping', max_uses: 1 });
    const usedByBuyer = await make(seller, { kind: 'percentage', percent_bps: 1, max_uses_per_customer: 1 });
    await redeemIn([used.id, usedByBuyer.id], buyer);
    const subtotals = { [seller.userId]: 10n };
    expect((await resolve(cart({ buyerId: buyer, subtotals }))).discounts).toEqual([]);
    expect((await resolve(cart({ subtotals }))).discounts.map((d) => d.id)).toEqual([usedByBuyer.id]);

    const many = newSeller();
    const made = [];
    for (let i = 0; i < 25; i += 1) made.push(await make(many, { kind: 'percentage', percent_bps: 1 }));
    const withCode = await make(many, { code: code('many'), kind: 'percentage', percent_bps: 2 });
    const got = (await resolve(cart({ codes: [withCode.code!], subtotals: { [many.userId]: 100n } })))
      .discounts;
    expect(got).toHaveLength(20);
    expect(got.map((d) => d.id)).toContain(withCode.id);
    // The oldest automatic ones fill the room left, in quote order: by the millisecond they
    // were made, then by id (several are made within one millisecond).
    const inQuoteOrder = [...made].sort(
      (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1),
    );
    expect(new Set(got.filter((d) => d.code === null).map((d) => d.id))).toEqual(
      new Set(inQuoteOrder.slice(0, 19).map((d) => d.id)),
    );
    await expect(
      resolve(cart({ codes: Array.from({ length: 21 }, () => withCode.code!) })),
    ).rejects.toMatchObject({
      code: 'too_many_discount_codes',
    });
  });
});

describe('redeem', () => {
  const race = async (maxUses: number, checkouts: number) => {
    const discount = await make(admin, { code: code('race'), kind: 'free_shipping', max_uses: maxUses });
    const outcomes = await Promise.allSettled(
      Array.from({ length: checkouts }, () =>
        db.transaction().execute(async (trx) => {
          await discounts.redeem(trx, {
            discountIds: [discount.id],
            buyerId: randomUUID(),
            paymentId: randomUUID(),
          });
          // The checkout goes on a moment with the row locked, as a real one would.
          await new Promise((resolve) => setTimeout(resolve, 2));
        }),
      ),
    );
    const committed = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { code?: string }] : []));
    expect(committed).toHaveLength(maxUses);
    expect(refused).toHaveLength(checkouts - maxUses);
    for (const reason of refused) expect(reason.code).toBe('discount_exhausted');
    expect(await usesOf(discount.id)).toBe(maxUses);
  };

  it('lets exactly one of 100 concurrent checkouts take a code’s last use', () => race(1, 100));

  it('lets exactly five of 100 concurrent checkouts take a code with five uses', () => race(5, 100));

  it('holds one buyer to their own limit under 20 concurrent redemptions', async () => {
    // In yen, which no resolve of this file quotes in: an automatic platform promotion applies to every cart.
    const discount = await make(admin, {
      kind: 'percentage',
      percent_bps: 100,
      currency: 'JPY',
      max_uses_per_customer: 3,
    });
    const buyer = randomUUID();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => redeemIn([discount.id], buyer)),
    );
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { code?: string }] : []));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(refused.map((r) => r.code)).toEqual(Array(17).fill('discount_limit_reached'));
    expect(await usesOf(discount.id)).toBe(3);
    // Another buyer is not held to it.
    await redeemIn([discount.id], randomUUID());
    expect(await usesOf(discount.id)).toBe(4);
  });

  it('takes nothing when any one discount is refused: the checkout’s rollback undoes the others', async () => {
    const open = await make(admin, { code: code('open'), kind: 'free_shipping' });
    const gone = await make(admin, { code: code('gone'), kind: 'free_shipping', max_uses: 1 });
    await redeemIn([gone.id], randomUUID());
    await expect(redeemIn([open.id, gone.id], randomUUID())).rejects.toMatchObject({
      code: 'discount_exhausted',
    });
    expect(await usesOf(open.id)).toBe(0);
    expect(await usesOf(gone.id)).toBe(1);
  });

  it('refuses a deleted discount, and a second redemption of one discount by one payment', async () => {
    const seller = newSeller();
    const deleted = await make(seller, { kind: 'free_shipping' });
    await discounts.delete(seller, deleted.id);
    await expect(redeemIn([deleted.id], randomUUID())).rejects.toMatchObject({ code: 'discount_exhausted' });

    const live = await make(seller, { kind: 'free_shipping' });
    const payment = randomUUID();
    await redeemIn([live.id], randomUUID(), payment);
    await expect(redeemIn([live.id], randomUUID(), payment)).rejects.toMatchObject({
      code: 'discount_already_redeemed',
    });
    expect(await usesOf(live.id)).toBe(1);
  });

  it('keeps max_uses from going below the uses taken', async () => {
    const discount = await make(admin, { code: code('cap'), kind: 'free_shipping', max_uses: 5 });
    await redeemIn([discount.id], randomUUID());
    await redeemIn([discount.id], randomUUID());
    await expect(discounts.update(admin, discount.id, { max_uses: 1 })).rejects.toMatchObject({
      code: 'discount_max_uses_below_uses',
    });
    expect((await discounts.update(admin, discount.id, { max_uses: 2 })).max_uses).toBe(2);
    await expect(redeemIn([discount.id], randomUUID())).rejects.toMatchObject({ code: 'discount_exhausted' });
  });
});

describe('release', () => {
  it('gives a payment’s uses back once, however often it is called', async () => {
    const buyer = randomUUID();
    const capped = await make(admin, { code: code('back'), kind: 'free_shipping', max_uses: 1 });
    const mine = await make(admin, { code: code('mine'), kind: 'free_shipping', max_uses_per_customer: 1 });
    const other = await make(admin, { code: code('other'), kind: 'free_shipping' });
    const payment = randomUUID();
    await redeemIn([capped.id, mine.id], buyer, payment);
    await redeemIn([other.id], randomUUID());
    await redeemIn([mine.id], randomUUID());
    const release = () => db.transaction().execute((trx) => discounts.release(trx, payment));
    await release();
    await release();
    await db.transaction().execute((trx) => discounts.release(trx, randomUUID()));
    expect(await usesOf(capped.id)).toBe(0);
    expect(await usesOf(mine.id)).toBe(1);
    expect(await usesOf(other.id)).toBe(1);

    // What was released is there to take again, by the same buyer too.
    await redeemIn([capped.id, mine.id], buyer);
    expect(await usesOf(capped.id)).toBe(1);
    expect(await usesOf(mine.id)).toBe(2);
  });

  it('gives nothing back when the releasing transaction rolls back', async () => {
    const discount = await make(admin, { kind: 'free_shipping', max_uses: 1, currency: 'JPY' });
    const payment = randomUUID();
    await redeemIn([discount.id], randomUUID(), payment);
    await expect(
      db.transaction().execute(async (trx) => {
        await discounts.release(trx, payment);
        throw new Error('checkout failed');
      }),
    ).rejects.toThrow('checkout failed');
    expect(await usesOf(discount.id)).toBe(1);
  });
});
