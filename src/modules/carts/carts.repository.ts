import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { CartLine } from './carts.rules.js';
import type { CartRow, CartsTables } from './carts.tables.js';

type Executor = Kysely<CartsTables> | Transaction<CartsTables>;

const LINE_COLUMNS = [
  'id',
  'product_id',
  'variant_id',
  'title',
  'quantity',
  'unit_price_minor',
  'currency',
] as const;

/** SQL for carts and their lines, and nothing else. */
export class CartsRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): CartsRepository {
    return new CartsRepository(tablesOf<CartsTables>(db));
  }

  static in(trx: Transaction<object>): CartsRepository {
    return new CartsRepository(trx as unknown as Transaction<CartsTables>);
  }

  /** A cart that has not expired; `lock` holds it for the caller's transaction. */
  async find(idHash: string, lock = false): Promise<CartRow | undefined> {
    let query = this.db
      .selectFrom('carts')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', sql<Date>`now()`);
    if (lock) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** The buyer's open cart that has not expired, locked. */
  async findOpenOf(ownerId: string): Promise<CartRow | undefined> {
    return this.db
      .selectFrom('carts')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('status', '=', 'open')
      .where('expires_at', '>', sql<Date>`now()`)
      .forUpdate()
      .executeTakeFirst();
  }

  /** Frees the slot of the buyer's one open cart held by a cart that has expired. */
  async dropExpiredOpenOf(ownerId: string): Promise<void> {
    await this.db
      .deleteFrom('carts')
      .where('owner_id', '=', ownerId)
      .where('status', '=', 'open')
      .where('expires_at', '<=', sql<Date>`now()`)
      .execute();
  }

  /** Creates a cart; for an owner that has an open one already, creates nothing (false). */
  async create(id: string, idHash: string, ownerId: string | null, ttlMs: number): Promise<boolean> {
    const inserted = await this.db
      .insertInto('carts')
      .values({
        id_hash: idHash,
        owner_id: ownerId,
        public_id: ownerId === null ? null : id,
        expires_at: expiry(ttlMs),
      })
      // The partial index is inferred from this predicate when the statement is planned: a
      // bound 'open' would not match it once the prepared statement's plan is generic.
      .onConflict((oc) =>
        oc
          .column('owner_id')
          .where('status', '=', sql.lit('open'))
          .where('owner_id', 'is not', null)
          .doNothing(),
      )
      .executeTakeFirst();
    return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async lines(idHash: string): Promise<CartLine[]> {
    return this.db
      .selectFrom('cart_lines')
      .select(LINE_COLUMNS)
      .where('cart_id_hash', '=', idHash)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Writes the lines given: new ones (no id) are inserted, the others get their quantity and price. */
  async saveLines(idHash: string, lines: readonly (Omit<CartLine, 'id'> & { id?: string })[]): Promise<void> {
    for (const line of lines) {
      if (line.id) {
        await this.db
          .updateTable('cart_lines')
          .set({ quantity: line.quantity, unit_price_minor: line.unit_price_minor, currency: line.currency })
          .where('id', '=', line.id)
          .where('cart_id_hash', '=', idHash)
          .execute();
      } else {
        await this.db
          .insertInto('cart_lines')
          .values({ ...line, id: randomUUID(), cart_id_hash: idHash })
          .execute();
      }
    }
  }

  async removeLine(idHash: string, lineId: string): Promise<boolean> {
    const deleted = await this.db
      .deleteFrom('cart_lines')
      .where('id', '=', lineId)
      .where('cart_id_hash', '=', idHash)
      .executeTakeFirst();
    return deleted.numDeletedRows > 0n;
  }

  /** A change pushes the expiry back: carts expire a TTL after their last change. */
  /** The cart's pricing choices (address, shipping options, codes), each when given. */
  async setChoices(
    idHash: string,
    choices: {
      shipping_address_id?: string | null;
      shipping_choices?: Record<string, string>;
      discount_codes?: string[];
    },
  ): Promise<void> {
    await this.db
      .updateTable('carts')
      .set({
        ...(choices.shipping_address_id !== undefined
          ? { shipping_address_id: choices.shipping_address_id }
          : {}),
        ...(choices.shipping_choices !== undefined
          ? {
              shipping_choices: sql<
                Record<string, string>
              >`${JSON.stringify(choices.shipping_choices)}::jsonb`,
            }
          : {}),
        ...(choices.discount_codes !== undefined
          ? { discount_codes: sql<string[]>`${sql.val(choices.discount_codes)}::text[]` }
          : {}),
      })
      .where('id_hash', '=', idHash)
      .execute();
  }

  async touch(idHash: string, ttlMs: number): Promise<void> {
    await this.db
      .updateTable('carts')
      .set({ updated_at: sql<Date>`now()`, expires_at: expiry(ttlMs) })
      .where('id_hash', '=', idHash)
      .execute();
  }

  async close(idHash: string): Promise<void> {
    await this.db.updateTable('carts').set({ status: 'closed' }).where('id_hash', '=', idHash).execute();
  }

  /**
   * Reserves an open cart's checkout for one buyer; answers its attempt number, or
   * undefined when another buyer holds it or it is no longer open.
   */
  async claimCheckout(idHash: string, buyerId: string): Promise<number | undefined> {
    const row = await this.db
      .updateTable('carts')
      .set({ checkout_by: buyerId })
      .where('id_hash', '=', idHash)
      .where('status', '=', 'open')
      .where((eb) => eb.or([eb('checkout_by', 'is', null), eb('checkout_by', '=', buyerId)]))
      .returning('checkout_attempt')
      .executeTakeFirst();
    return row?.checkout_attempt;
  }

  /** After a failed payment: the next checkout is a new attempt (once, however many raced). */
  async nextAttempt(idHash: string, attempt: number): Promise<void> {
    await this.db
      .updateTable('carts')
      .set({ checkout_attempt: attempt + 1 })
      .where('id_hash', '=', idHash)
      .where('checkout_attempt', '=', attempt)
      .execute();
  }

  /** The cart is its buyer's, checked out into `paymentId`. */
  async markCheckedOut(idHash: string, buyerId: string, paymentId: string, ttlMs: number): Promise<void> {
    await this.db
      .updateTable('carts')
      .set({
        status: 'checked_out',
        owner_id: buyerId,
        payment_id: paymentId,
        updated_at: sql<Date>`now()`,
        expires_at: expiry(ttlMs),
      })
      .where('id_hash', '=', idHash)
      .where('status', '=', 'open')
      .execute();
  }

  /** A person's carts with their lines, for the privacy export. */
  async exportOf(ownerId: string) {
    const carts = await this.db
      .selectFrom('carts')
      .select(['status', 'payment_id', 'created_at', 'updated_at', 'expires_at', 'id_hash'])
      .where((eb) => eb.or([eb('owner_id', '=', ownerId), eb('checkout_by', '=', ownerId)]))
      .orderBy('created_at')
      .execute();
    return Promise.all(
      carts.map(async ({ id_hash: idHash, ...cart }) => ({
        ...cart,
        lines: (await this.lines(idHash)).map(
          ({ product_id, variant_id, title, quantity, unit_price_minor, currency }) => ({
            product_id,
            variant_id,
            title,
            quantity,
            unit_price_minor: unit_price_minor.toString(),
            currency,
          }),
        ),
      })),
    );
  }

  /** Deletes a person's carts (their lines go with them), in the erasure's transaction. */
  async eraseOwner(ownerId: string): Promise<void> {
    await this.db
      .deleteFrom('carts')
      .where((eb) => eb.or([eb('owner_id', '=', ownerId), eb('checkout_by', '=', ownerId)]))
      .execute();
  }

  /** Deletes up to `limit` expired carts (their lines go with them); answers how many. */
  async deleteExpired(limit: number): Promise<number> {
    const deleted = await this.db
      .deleteFrom('carts')
      .where(
        'id_hash',
        'in',
        this.db
          .selectFrom('carts')
          .select('id_hash')
          .where('expires_at', '<=', sql<Date>`now()`)
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }
}

const expiry = (ttlMs: number) => sql<Date>`now() + make_interval(secs => ${ttlMs / 1000}::double precision)`;
