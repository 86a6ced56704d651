import type { Generated, Selectable } from 'kysely';

export type CartStatus = 'open' | 'checked_out' | 'closed';

export interface CartsTable {
  id_hash: string;
  owner_id: string | null;
  public_id: string | null;
  status: Generated<CartStatus>;
  checkout_by: string | null;
  checkout_attempt: Generated<number>;
  payment_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  expires_at: Date;
  /** The owner's address the cart is quoted for (a signed-in buyer's cart only). */
  shipping_address_id: string | null;
  /** The shipping option chosen per seller id. */
  shipping_choices: Generated<Record<string, string>>;
  /** Upper-cased discount codes, in the order they were added. */
  discount_codes: Generated<string[]>;
}

export interface CartLinesTable {
  id: string;
  cart_id_hash: string;
  product_id: string;
  /** The variant of a product that has them; null for one without. */
  variant_id: string | null;
  title: string;
  quantity: number;
  unit_price_minor: bigint;
  currency: string;
  created_at: Generated<Date>;
}

export interface CartsTables {
  carts: CartsTable;
  cart_lines: CartLinesTable;
}

export type CartRow = Selectable<CartsTable>;
