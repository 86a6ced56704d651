import type { Generated, Selectable } from 'kysely';
import type { DiscountKind } from './discounts.rules.js';

export interface DiscountsTable {
  id: Generated<string>;
  /** Upper case; null for an automatic promotion. */
  code: string | null;
  /** Null: the platform's, on the whole cart; set: that seller's, on their goods only. */
  seller_id: string | null;
  kind: DiscountKind;
  percent_bps: number | null;
  amount_minor: bigint | null;
  currency: string | null;
  minimum_subtotal_minor: bigint | null;
  starts_at: Date | null;
  ends_at: Date | null;
  max_uses: number | null;
  max_uses_per_customer: number | null;
  uses: Generated<number>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DiscountRedemptionsTable {
  discount_id: string;
  buyer_id: string;
  payment_id: string;
  redeemed_at: Generated<Date>;
  released_at: Date | null;
}

/** The tables the discounts module owns. */
export interface DiscountsTables {
  discounts: DiscountsTable;
  discount_redemptions: DiscountRedemptionsTable;
}

export type DiscountRow = Selectable<DiscountsTable>;
