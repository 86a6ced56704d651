import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { decodeTimeCursor, encodeTimeCursor, pageOf } from '../../platform/db/keyset.js';
import { AppError, conflict, invalid, notFound, unprocessable } from '../../platform/errors.js';
import { formatAmount, sumMinor } from '../../platform/money.js';
import { MAX_QUOTE_DISCOUNTS } from '../pricing/pricing.rules.js';
import { DiscountsRepository } from './discounts.repository.js';
import {
  type DiscountFields,
  type DiscountInput,
  type DiscountRule,
  normalizeCode,
  parseDiscountInput,
  type QuotedDiscount,
  selectForQuote,
  toPricingDiscount,
  whyInapplicable,
} from './discounts.rules.js';
import type { DiscountRow } from './discounts.tables.js';

export const DISCOUNTS_PAGE_SIZE = 50;
/**
 * Most automatic promotions a quote weighs: room for those a minimum or the buyer's own
 * limit leaves out, while still a bound on every quote's work.
 */
const MAX_AUTOMATIC_CANDIDATES = 5 * MAX_QUOTE_DISCOUNTS;

const present = (row: DiscountRow) => {
  const money = (minor: bigint | null) =>
    minor === null || row.currency === null ? null : formatAmount(minor, row.currency);
  const time = (date: Date | null) => (date === null ? null : new Date(date).toISOString());
  return {
    id: row.id,
    code: row.code,
    seller_id: row.seller_id,
    funded_by: row.seller_id === null ? ('platform' as const) : ('seller' as const),
    kind: row.kind,
    percent_bps: row.percent_bps,
    amount: money(row.amount_minor),
    currency: row.currency,
    minimum_subtotal: money(row.minimum_subtotal_minor),
    starts_at: time(row.starts_at),
    ends_at: time(row.ends_at),
    max_uses: row.max_uses,
    max_uses_per_customer: row.max_uses_per_customer,
    uses: row.uses,
    active: row.active,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
};

export type DiscountJson = ReturnType<typeof present>;

export interface ResolveInput {
  codes: readonly string[];
  buyerId: string;
  currency: string;
  /** The goods subtotal of each seller in the cart, in minor units of `currency`. */
  subtotalsBySeller: ReadonlyMap<string, bigint>;
  now: Date;
}

const managers = { roles: ['seller', 'admin'] } as const;

/** The rules compare instants as Dates, whatever shape the driver hands timestamps back in. */
const ruleOf = (row: DiscountRow): DiscountRule => ({
  ...row,
  starts_at: row.starts_at && new Date(row.starts_at),
  ends_at: row.ends_at && new Date(row.ends_at),
  created_at: new Date(row.created_at),
});

const invalidCode = (code: string) =>
  unprocessable('discount_code_invalid', `discount code ${code} is not valid`);

/**
 * Coupon codes and automatic promotions: sellers keep their own (funded by them, on their
 * goods), admins the platform's (funded by the platform, on the whole cart). Checkout asks
 * `resolve` what applies and `redeem`s it in its own transaction; `release` gives it back.
 */
export class DiscountsService {
  constructor(private readonly repo: DiscountsRepository) {}

  /**
   * A page of discounts, newest first: a seller's own, or every one for an admin.
   * @throws `role_not_allowed` (403), `validation_failed` (400) for a cursor we did not issue
   */
  async list(
    actor: Actor | undefined,
    query: { cursor?: string; limit?: number } = {},
  ): Promise<{ items: DiscountJson[]; nextCursor: string | null }> {
    const me = authorize(actor, managers);
    const limit = Math.min(Math.max(query.limit ?? DISCOUNTS_PAGE_SIZE, 1), DISCOUNTS_PAGE_SIZE);
    const after = query.cursor === undefined ? undefined : decodeTimeCursor(query.cursor);
    const rows = await this.repo.list(me.role === 'admin' ? undefined : me.userId, limit, after);
    return pageOf(rows, limit, present, (row) => encodeTimeCursor({ createdAt: row.cursor_key, id: row.id }));
  }

  /** One discount: a seller's own, or any for an admin. @throws `discount_not_found` (404) */
  async retrieve(actor: Actor | undefined, id: string): Promise<DiscountJson> {
    const me = authorize(actor, managers);
    const row = await this.repo.find(id);
    if (!row || !mayManage(me, row)) throw notFound('discount');
    return present(row);
  }

  /**
   * Creates a discount: a seller's own when a seller calls, the platform's when an admin does.
   * @throws `validation_failed` (400) naming each bad field, `discount_code_taken` (409)
   */
  async create(actor: Actor | undefined, input: DiscountInput): Promise<DiscountJson> {
    const me = authorize(actor, managers);
    const fields = checked(parseDiscountInput(input));
    return present(await uniqueCode(() => this.repo.create(me.role === 'admin' ? null : me.userId, fields)));
  }

  /**
   * Changes a discount (PATCH: absent fields stay, null clears); the result is checked whole.
   * Kind and currency stay as created.
   * @throws `validation_failed` (400), `discount_not_found` (404, also for one the caller may
   *   not manage), `discount_code_taken` (409), `discount_max_uses_below_uses` (409)
   */
  async update(actor: Actor | undefined, id: string, input: DiscountInput): Promise<DiscountJson> {
    const me = authorize(actor, managers);
    const row = await uniqueCode(() =>
      this.repo.update(id, (current) => {
        if (!mayManage(me, current)) throw notFound('discount');
        const fields = checked(parseDiscountInput(input, current));
        if (fields.max_uses !== null && fields.max_uses < current.uses) {
          throw conflict('discount_max_uses_below_uses', `it has been used ${current.uses} times already`);
        }
        return fields;
      }),
    );
    if (!row) throw notFound('discount');
    return present(row);
  }

  /**
   * Deactivates a discount: it no longer applies and its code is free again; its
   * redemptions stay. Idempotent. @throws `discount_not_found` (404)
   */
  async delete(actor: Actor | undefined, id: string): Promise<void> {
    const me = authorize(actor, managers);
    const row = await this.repo.update(id, (current) => {
      if (!mayManage(me, current)) throw notFound('discount');
      return { active: false };
    });
    if (!row) throw notFound('discount');
  }

  /**
   * What discounts a cart gets, read in `db` (the checkout's transaction, or the database
   * for a quote): every automatic promotion that applies (the platform's, and those of the
   * sellers in the cart), plus each code given, in quote order, at most MAX_QUOTE_DISCOUNTS.
   * Automatic promotions that do not apply are left out; a code that does not is refused:
   * @throws `discount_code_invalid` (422) unknown, inactive, not yet started or ended;
   *   `discount_not_applicable` (422) another currency, below its minimum, or a seller's
   *   code without that seller's goods in the cart; `discount_exhausted` (409);
   *   `discount_limit_reached` (409) the buyer's own limit; `too_many_discount_codes` (422)
   */
  async resolve(db: Kysely<object>, input: ResolveInput): Promise<{ discounts: QuotedDiscount[] }> {
    if (input.codes.length > MAX_QUOTE_DISCOUNTS) {
      throw unprocessable('too_many_discount_codes', `at most ${MAX_QUOTE_DISCOUNTS} discount codes`);
    }
    const codes = [
      ...new Set(
        input.codes.map((text) => {
          const code = normalizeCode(text);
          if (!code) throw invalidCode(text.trim());
          return code;
        }),
      ),
    ];
    const repo = DiscountsRepository.within(db);
    const sellers = [...input.subtotalsBySeller.keys()];
    const codedRows = await repo.liveByCodes(codes);
    const automaticRows = await repo.automatic(sellers, input, MAX_AUTOMATIC_CANDIDATES);
    const limited = [...codedRows, ...automaticRows].filter((row) => row.max_uses_per_customer !== null);
    const usesByBuyer = await repo.usesByBuyer(
      input.buyerId,
      limited.map((row) => row.id),
    );
    const cartTotal = sumMinor([...input.subtotalsBySeller.values()]);
    const reasonFor = (rule: DiscountRule) =>
      whyInapplicable(rule, {
        now: input.now,
        currency: input.currency,
        subtotalMinor:
          rule.seller_id === null ? cartTotal : (input.subtotalsBySeller.get(rule.seller_id) ?? 0n),
        usesByBuyer: usesByBuyer.get(rule.id) ?? 0,
      });

    const coded = codes.map((code) => {
      const row = codedRows.find((candidate) => candidate.code === code);
      if (!row) throw invalidCode(code);
      const rule = ruleOf(row);
      if (rule.seller_id !== null && !input.subtotalsBySeller.has(rule.seller_id)) {
        throw unprocessable('discount_not_applicable', `discount code ${code} is for another seller’s goods`);
      }
      const reason = reasonFor(rule);
      if (reason) throw refusal(code, reason);
      return rule;
    });
    const automatic = automaticRows.map(ruleOf).filter((rule) => reasonFor(rule) === undefined);
    return { discounts: selectForQuote(coded, automatic).map(toPricingDiscount) };
  }

  /**
   * Takes one use of each discount for a payment, inside the caller's checkout transaction
   * `trx`, so they commit or roll back with it. Race-safe: each use is one conditional
   * UPDATE, in id order (no deadlocks between checkouts); the buyer's own limit is counted
   * under the row lock that UPDATE holds. A refusal throws, and the caller's rollback undoes
   * the uses already taken.
   * @throws `discount_exhausted` (409), `discount_limit_reached` (409),
   *   `discount_already_redeemed` (409) for a discount this payment redeemed already
   */
  async redeem(
    trx: Kysely<object>,
    input: { discountIds: readonly string[]; buyerId: string; paymentId: string },
  ): Promise<void> {
    const ids = [...new Set(input.discountIds)].sort();
    if (ids.length > MAX_QUOTE_DISCOUNTS)
      throw invalid('too_many_discounts', `at most ${MAX_QUOTE_DISCOUNTS}`);
    const repo = DiscountsRepository.within(trx);
    for (const id of ids) {
      const taken = await repo.takeUse(id);
      if (!taken) throw conflict('discount_exhausted', `discount ${id} has no uses left`);
      if (taken.max_uses_per_customer !== null) {
        const used = (await repo.usesByBuyer(input.buyerId, [id])).get(id) ?? 0;
        if (used >= taken.max_uses_per_customer) {
          throw conflict('discount_limit_reached', `discount ${id} was used as often as one buyer may`);
        }
      }
      try {
        await repo.insertRedemption(id, input.buyerId, input.paymentId);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw conflict('discount_already_redeemed', `payment ${input.paymentId} redeemed ${id} already`);
        }
        throw error;
      }
    }
  }

  /**
   * Gives back the uses a payment took (it failed, expired or was cancelled), in the
   * caller's transaction: its redemptions are marked released and stop counting against
   * the buyer. Idempotent: a second release finds nothing left to release.
   */
  async release(trx: Kysely<object>, paymentId: string): Promise<void> {
    const repo = DiscountsRepository.within(trx);
    const ids = (await repo.releaseRedemptions(paymentId)).sort();
    for (const id of ids) await repo.giveUseBack(id);
  }
}

/** Sellers manage their own discounts; admins every one. */
const mayManage = (me: Actor, row: DiscountRow) => me.role === 'admin' || row.seller_id === me.userId;

function checked(parsed: ReturnType<typeof parseDiscountInput>): DiscountFields {
  if (parsed.ok) return parsed.fields;
  throw new AppError('invalid', 'validation_failed', parsed.problems[0]!.message, {
    fields: parsed.problems,
  });
}

async function uniqueCode<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict('discount_code_taken', 'a live discount has this code already');
    throw error;
  }
}

function refusal(code: string, reason: NonNullable<ReturnType<typeof whyInapplicable>>): AppError {
  switch (reason) {
    case 'inactive':
    case 'not_started':
    case 'ended':
      return invalidCode(code);
    case 'currency_mismatch':
      return unprocessable('discount_not_applicable', `discount code ${code} is for another currency`);
    case 'below_minimum':
      return unprocessable('discount_not_applicable', `discount code ${code} needs a larger subtotal`);
    case 'exhausted':
      return conflict('discount_exhausted', `discount code ${code} has no uses left`);
    case 'customer_limit_reached':
      return conflict('discount_limit_reached', `discount code ${code} was used as often as one buyer may`);
  }
}
