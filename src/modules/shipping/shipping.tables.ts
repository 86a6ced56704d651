import type { Generated, Selectable } from 'kysely';
import type { ShippingKind } from './shipping.rules.js';

/** A per-region rate as stored: the amount a decimal integer string, exact beyond 2^53. */
export interface StoredRegionRate {
  country: string;
  region: string | null;
  amount_minor: string;
}

export interface ShippingOptionsTable {
  id: Generated<string>;
  seller_id: string;
  name: string;
  kind: ShippingKind;
  currency: string;
  amount_minor: bigint | null;
  free_above_minor: bigint | null;
  /** Written as JSON text; read back parsed (or as text, depending on the driver). */
  regions: string | StoredRegionRate[];
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The tables the shipping module owns. */
export interface ShippingTables {
  shipping_options: ShippingOptionsTable;
}

export type ShippingOptionRow = Selectable<ShippingOptionsTable>;
