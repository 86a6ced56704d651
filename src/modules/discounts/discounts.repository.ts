import { type Kysely, sql } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { TimeKey } from '../../platform/db/keyset.js';
import type { DiscountFields } from './discounts.rules.js';
import type { DiscountRow, DiscountsTables } from './discounts.tables.js';

/** SQL of the discounts module, and nothing else. */
export class DiscountsRepository {
  private readonly db: Kysely<DiscountsTables>;

  constructor(db: Kysely<object>) {
    this.db = tablesOf<DiscountsTables>(db);
  }

  /** The same statements inside the caller's transaction. */
  static within(trx: Kysely<object>): DiscountsRepository {
    return new DiscountsRepository(trx);
  }

  create(sellerId: string | null, fields: DiscountFields): Promise<DiscountRow> {
    return this.db
      .insertInto('discounts')
      .values({ ...fields, seller_id: sellerId })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /**
   * One page, newest first (keyset on created_at, id), `limit + 1` rows: a seller's own, or
   * every discount when `sellerId` is undefined.
   */
  list(sellerId: string | undefined, limit: number, after?: TimeKey) {
    let query = this.db
      .selectFrom('discounts')
      .selectAll()
      .select(sql<string>`created_at::text`.as('cursor_key'));
    if (sellerId !== undefined) query = query.where('seller_id', '=', sellerId);
    if (after) {
      query = query.where(
        sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      );
    }
    return query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
  }

  find(id: string): Promise<DiscountRow | undefined> {
    return this.db.selectFrom('discounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Rewrites a discount from what `change` makes of it, the row locked meanwhile, so two
   * edits never merge into terms neither asked for and `uses` cannot move under a check of
   * max_uses. `change` may throw to refuse. Undefined when there is no such discount.
   */
  update(
    id: string,
    change: (row: DiscountRow) => Partial<DiscountFields>,
  ): Promise<DiscountRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('discounts')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return undefined;
      return trx
        .updateTable('discounts')
        .set({ ...change(row), updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  /** The live (active) discounts with these codes: at most one per code. */
  liveByCodes(codes: readonly string[]): Promise<DiscountRow[]> {
    if (codes.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('discounts')
      .selectAll()
      .where('active', '=', true)
      .where('code', 'in', codes)
      .execute();
  }

  /**
   * Live automatic promotions that could apply to a cart in `currency` at `now`: the
   * platform's and those of `sellerIds`, not used up, in quote order. The window, currency
   * and uses are filtered here so that the limit counts candidates only; the rules still
   * judge each row (minimums, the buyer's own limit).
   */
  automatic(
    sellerIds: readonly string[],
    cart: { currency: string; now: Date },
    limit: number,
  ): Promise<DiscountRow[]> {
    return this.db
      .selectFrom('discounts')
      .selectAll()
      .where('active', '=', true)
      .where('code', 'is', null)
      .where((eb) =>
        sellerIds.length === 0
          ? eb('seller_id', 'is', null)
          : eb.or([eb('seller_id', 'is', null), eb('seller_id', 'in', sellerIds)]),
      )
      .where((eb) => eb.or([eb('currency', 'is', null), eb('currency', '=', cart.currency)]))
      .where((eb) => eb.or([eb('starts_at', 'is', null), eb('starts_at', '<=', cart.now)]))
      .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', cart.now)]))
      .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
      .orderBy(sql`seller_id IS NULL`, 'desc')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** How many unreleased redemptions the buyer has of each discount (absent: none). */
  async usesByBuyer(buyerId: string, discountIds: readonly string[]): Promise<Map<string, number>> {
    if (discountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('discount_redemptions')
      .select((eb) => ['discount_id', eb.fn.countAll<string>().as('count')])
      .where('buyer_id', '=', buyerId)
      .where('discount_id', 'in', discountIds)
      .where('released_at', 'is', null)
      .groupBy('discount_id')
      .execute();
    return new Map(rows.map((row) => [row.discount_id, Number(row.count)]));
  }

  /**
   * Takes one use of a live discount that has one left, in one conditional statement: the
   * row stays locked until the caller's transaction ends, and a racing caller re-reads it
   * after that, so no more uses are ever taken than max_uses. Undefined when none is left.
   */
  takeUse(id: string): Promise<{ max_uses_per_customer: number | null } | undefined> {
    return this.db
      .updateTable('discounts')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', id)
      .where('active', '=', true)
      .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
      .returning('max_uses_per_customer')
      .executeTakeFirst();
  }

  insertRedemption(discountId: string, buyerId: string, paymentId: string): Promise<unknown> {
    return this.db
      .insertInto('discount_redemptions')
      .values({ discount_id: discountId, buyer_id: buyerId, payment_id: paymentId, released_at: null })
      .execute();
  }

  /** Marks a payment's unreleased redemptions released; returns their discounts' ids. */
  async releaseRedemptions(paymentId: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('discount_redemptions')
      .set({ released_at: sql<Date>`now()` })
      .where('payment_id', '=', paymentId)
      .where('released_at', 'is', null)
      .returning('discount_id')
      .execute();
    return rows.map((row) => row.discount_id);
  }

  async giveUseBack(id: string): Promise<void> {
    await this.db
      .updateTable('discounts')
      .set((eb) => ({ uses: eb('uses', '-', 1) }))
      .where('id', '=', id)
      .execute();
  }
}
